"""The API's endpoints, version 1 (/api/v1/…): promotions, challenges (their dossier and
history; a move through `lifecycle.services.transition`, the guards' reasons in the request's
language), the audit trail, and for managers only the jury's ranking and the applications. Lists
go by cursor; the challenges' filters are the back office's (`backoffice.filters.ChallengeFilter`)."""

import django_filters
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, pagination, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api import access
from api.serializers import (
    ApplicationSerializer,
    AuditEventSerializer,
    ChallengeDetailSerializer,
    ChallengeSerializer,
    MoveRequestSerializer,
    PromotionDetailSerializer,
    PromotionSerializer,
    RankingSerializer,
)
from backoffice.filters import ChallengeFilter
from jury import ranking
from jury.models import Jury
from lifecycle import criteria, personal, services
from lifecycle.dossier.edits import DOSSIER_RELATIONS
from lifecycle.enums import AuditKind
from lifecycle.models import AuditEvent, Promotion
from recruitment.enums import ApplicationState
from recruitment.models import Application


class ByCursor(pagination.CursorPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "taille"
    ordering = "id"


class Newest(ByCursor):
    ordering = "-id"


class ApiMixin:
    authentication_classes = [access.BearerToken]
    permission_classes = [access.TokenScope]
    throttle_classes = [access.PerToken]

    def throttled(self, request, wait):
        raise exceptions.Throttled(
            wait,
            detail=_("Trop de requêtes pour ce jeton : réessayez dans %(seconds)d s.")
            % {"seconds": wait or 1},
        )


def _promotions(token):
    promotions = Promotion.objects.select_related("call")
    return promotions.filter(pk=token.promotion_id) if token.promotion_id else promotions


class PromotionDetail(ApiMixin, generics.RetrieveAPIView):
    """A promotion and its call as configured: calendar, rules, the jury's criteria, the profiles."""

    serializer_class = PromotionDetailSerializer
    lookup_field = "number"

    def get_queryset(self):
        return _promotions(self.request.auth).prefetch_related("call__criteria", "call__profiles")


class PromotionList(ApiMixin, generics.ListAPIView):
    serializer_class = PromotionSerializer
    pagination_class = ByCursor

    def get_queryset(self):
        return _promotions(self.request.auth)


FILTERS = [
    OpenApiParameter("q", str, description="Texte cherché dans le nom du défi ou de son administration"),
    OpenApiParameter("state", str, description="État (submitted, preselected…)"),
    OpenApiParameter("promotion", int, description="Identifiant de la promotion"),
    OpenApiParameter("kind", str, description="Nature de l’administration"),
    OpenApiParameter("cofinancement", str, enum=["oui", "non"]),
]


class ChallengeList(ApiMixin, generics.ListAPIView):
    serializer_class = ChallengeSerializer
    pagination_class = ByCursor

    def get_queryset(self):
        challenges = access.challenges_for(self.request.user, self.request.auth).select_related(
            "promotion", "administration"
        )
        filters = ChallengeFilter(self.request.query_params, queryset=challenges)
        if not filters.is_valid():
            raise exceptions.ValidationError(filters.errors)
        return filters.qs.order_by()  # the cursor's order

    @extend_schema(parameters=FILTERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _detailed(queryset):
    moves = AuditEvent.objects.filter(kind=AuditKind.TRANSITION).order_by("id")
    return queryset.select_related(
        "promotion__call", "administration", "administrative_carrier", "manager"
    ).prefetch_related(*DOSSIER_RELATIONS, Prefetch("audit_events", queryset=moves, to_attr="moves"))


class ChallengeDetail(ApiMixin, generics.RetrieveAPIView):
    serializer_class = ChallengeDetailSerializer

    def get_queryset(self):
        return _detailed(access.challenges_for(self.request.user, self.request.auth))


class ChallengeMove(ApiMixin, APIView):
    """Move a challenge: the same function as the pages' buttons, its guards and its e-mails."""

    @extend_schema(request=MoveRequestSerializer, responses={200: ChallengeDetailSerializer})
    def post(self, request, pk):
        challenge = get_object_or_404(access.challenges_for(request.user, request.auth), pk=pk)
        move = MoveRequestSerializer(data=request.data)
        move.is_valid(raise_exception=True)
        try:
            services.transition(
                challenge,
                move.validated_data["transition"],
                by=request.user,
                reason=move.validated_data["reason"],
            )
        except services.TransitionRefused as refused:
            return Response(
                {"detail": _("Changement d’état refusé."), "code": refused.code, "reasons": refused.reasons},
                status=status.HTTP_409_CONFLICT,
            )
        challenge = _detailed(access.challenges_for(request.user, request.auth)).get(pk=pk)
        return Response(ChallengeDetailSerializer(challenge).data)


class AuditEventList(ApiMixin, generics.ListAPIView):
    serializer_class = AuditEventSerializer
    pagination_class = Newest
    permission_classes = [access.TokenScope, access.ReadsTheTrail]

    def get_queryset(self):
        return AuditEvent.objects.select_related("actor")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return personal.prefetch(page) if page is not None else page


class JuryRanking(ApiMixin, APIView):
    """A promotion's jury ranking (`jury.ranking.ranking`), in one of the managers' page's orders."""

    permission_classes = [access.TokenScope, access.ManagesTheProgramme]

    @extend_schema(
        parameters=[
            OpenApiParameter("tri", str, enum=list(ranking.ORDERS), description="Ordre (calibre par défaut)")
        ],
        responses={200: RankingSerializer},
    )
    def get(self, request, number):
        promotion = get_object_or_404(_promotions(request.auth), number=number)
        order = request.query_params.get("tri") or "calibre"
        if order not in ranking.ORDERS:
            raise exceptions.ValidationError({"tri": [_("Tri inconnu : choisissez calibre, brut ou avis.")]})
        # Reading does not open a jury: a promotion without one (or without a call, its criteria)
        # has an empty ranking.
        call = getattr(promotion, "call", None)  # a promotion's call is made with it, but may be missing
        jury = Jury.objects.filter(promotion=promotion).first()
        if jury is not None:
            jury.promotion = promotion
        rows = ranking.ranking(jury, order=order) if jury is not None and call is not None else []
        call_criteria = criteria.of_call(call) if call is not None else []
        body = {
            "promotion": promotion,
            "order": order,
            "closed_at": jury.closed_at if jury is not None else None,
            "criteria": call_criteria,
            "rows": rows,
        }
        return Response(RankingSerializer(body, context={"criteria": call_criteria}).data)


# A draft is its candidate's until they submit it: no list shows it.
LISTED_STATES = [choice for choice in ApplicationState.choices if choice[0] != ApplicationState.DRAFT]


class ApplicationFilter(django_filters.FilterSet):
    challenge = django_filters.NumberFilter(field_name="challenge_id")
    promotion = django_filters.NumberFilter(field_name="challenge__promotion_id")
    state = django_filters.ChoiceFilter(choices=LISTED_STATES)

    class Meta:
        model = Application
        fields = ["challenge", "promotion", "state"]


class ApplicationList(ApiMixin, generics.ListAPIView):
    """The candidates' applications (not their drafts, as the managers' list), with who applies."""

    serializer_class = ApplicationSerializer
    pagination_class = ByCursor
    permission_classes = [access.TokenScope, access.ManagesTheProgramme]

    def get_queryset(self):
        applications = Application.objects.exclude(state=ApplicationState.DRAFT).select_related("candidate")
        if self.request.auth.promotion_id:
            applications = applications.filter(challenge__promotion_id=self.request.auth.promotion_id)
        filters = ApplicationFilter(self.request.query_params, queryset=applications)
        if not filters.is_valid():
            raise exceptions.ValidationError(filters.errors)
        return filters.qs.order_by()  # the cursor's order

    @extend_schema(
        parameters=[
            OpenApiParameter("challenge", int, description="Identifiant du défi"),
            OpenApiParameter("promotion", int, description="Identifiant de la promotion"),
            OpenApiParameter(
                "state",
                str,
                enum=[value for value in ApplicationState.values if value != ApplicationState.DRAFT],
            ),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
