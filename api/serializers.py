"""What the API says of each thing: plain values, a challenge's state with its label in the
request's language, a dossier as the audit trail reads it (`lifecycle.dossier.snapshot`)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jury.ranking import ORDERS
from lifecycle import criteria
from lifecycle.actors import shown_label
from lifecycle.dossier import snapshot
from lifecycle.enums import TransitionName
from lifecycle.models import AuditEvent, Call, Challenge, Promotion
from lifecycle.personal import Personal
from recruitment.models import Application


class PromotionSerializer(serializers.ModelSerializer):
    call_title = serializers.CharField(source="call.title", default="", read_only=True)
    submission_opens_at = serializers.DateTimeField(
        source="call.submission_opens_at", default=None, read_only=True
    )
    submission_deadline = serializers.DateTimeField(
        source="call.submission_deadline", default=None, read_only=True
    )
    jury_starts_on = serializers.DateField(source="call.jury_starts_on", default=None, read_only=True)
    starts_on = serializers.DateField(source="call.starts_on", default=None, read_only=True)

    class Meta:
        model = Promotion
        fields = [
            "number",
            "name",
            "year",
            "call_title",
            "submission_opens_at",
            "submission_deadline",
            "jury_starts_on",
            "starts_on",
        ]


class CriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    weight = serializers.DecimalField(max_digits=4, decimal_places=2)


class ProfileSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class CallSerializer(serializers.ModelSerializer):
    """A promotion's call as configured (data, not code): its calendar, its rules, the jury's
    criteria and the profiles it seeks."""

    criteria = serializers.SerializerMethodField()
    profiles = ProfileSerializer(many=True, read_only=True)

    class Meta:
        model = Call
        fields = [
            "title",
            "information_event_at",
            "submission_opens_at",
            "submission_deadline",
            "jury_starts_on",
            "jury_ends_on",
            "recruitment_opens_at",
            "recruitment_closes_at",
            "candidate_max_challenges",
            "starts_on",
            "duration_months",
            "min_eigs_per_challenge",
            "max_eigs_per_challenge",
            "criteria",
            "profiles",
        ]

    @extend_schema_field(CriterionSerializer(many=True))
    def get_criteria(self, call):
        return CriterionSerializer(criteria.of_call(call), many=True).data


class PromotionDetailSerializer(PromotionSerializer):
    call = CallSerializer(read_only=True, default=None)

    class Meta(PromotionSerializer.Meta):
        fields = [*PromotionSerializer.Meta.fields, "call"]


class ChallengeSerializer(serializers.ModelSerializer):
    promotion = serializers.IntegerField(source="promotion.number", read_only=True)
    administration = serializers.CharField(source="administration.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Challenge
        fields = [
            "id",
            "name",
            "promotion",
            "administration",
            "summary",
            "state",
            "state_label",
            "state_changed_at",
            "updated_at",
        ]


class MoveSerializer(serializers.Serializer):
    """A recorded move of the challenge (its audit event)."""

    transition = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    at = serializers.DateTimeField(source="created_at")
    reason = serializers.CharField()


class ChallengeDetailSerializer(ChallengeSerializer):
    dossier = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    class Meta(ChallengeSerializer.Meta):
        fields = [*ChallengeSerializer.Meta.fields, "dossier", "history"]

    def get_dossier(self, challenge) -> dict:
        """The dossier's values, flat (`eig[1].profile`, `contact[hr].email`…), as its pages show them."""
        values = snapshot.snapshot(challenge)
        return {key: value.value if isinstance(value, Personal) else value for key, value in values.items()}

    def get_history(self, challenge) -> list[dict]:
        return MoveSerializer(challenge.moves, many=True).data


class MoveRequestSerializer(serializers.Serializer):
    transition = serializers.ChoiceField(choices=TransitionName.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "kind",
            "challenge",
            "subject",
            "actor",
            "transition",
            "from_state",
            "to_state",
            "reason",
            "hash",
        ]

    def get_actor(self, event) -> str:
        return shown_label(event)


class ScoreSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    value = serializers.IntegerField(allow_null=True)


class RankingRowSerializer(serializers.Serializer):
    """A heard challenge's line of the jury's ranking (`jury.ranking.Row`), as the managers' page."""

    position = serializers.IntegerField()
    tied = serializers.BooleanField()
    challenge = serializers.IntegerField(source="challenge.pk")
    challenge_name = serializers.CharField(source="challenge.name")
    administration = serializers.CharField(source="challenge.administration.name")
    sub_jury = serializers.CharField(source="sub_jury.name")
    scores = serializers.SerializerMethodField()
    complete = serializers.BooleanField()
    total = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    mean = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    offset = serializers.DecimalField(max_digits=8, decimal_places=2)
    calibrated = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    calibrated_total = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    favourable = serializers.IntegerField()
    unfavourable = serializers.IntegerField()
    mean_preference = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    favourites = serializers.IntegerField()
    disagreement = serializers.BooleanField()

    @extend_schema_field(ScoreSerializer(many=True))
    def get_scores(self, row):
        """The collective grid in the criteria's order, `null` where a criterion is not scored yet."""
        return [
            {"criterion": criterion.pk, "value": row.scores.get(criterion.pk)}
            for criterion in self.context["criteria"]
        ]


class RankingSerializer(serializers.Serializer):
    promotion = serializers.IntegerField(source="promotion.number")
    order = serializers.ChoiceField(choices=list(ORDERS))
    closed_at = serializers.DateTimeField(allow_null=True)
    criteria = CriterionSerializer(many=True)
    rows = RankingRowSerializer(many=True)


class CandidateSerializer(serializers.Serializer):
    """Who applies: their identity is erased (blank) once the retention period is over."""

    id = serializers.IntegerField(source="pk")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.CharField()
    profile = serializers.CharField()
    erased = serializers.SerializerMethodField()

    def get_erased(self, candidate) -> bool:
        return candidate.erased_at is not None


class ApplicationSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    candidate = CandidateSerializer(read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "challenge",
            "candidate",
            "origin",
            "state",
            "state_label",
            "state_changed_at",
            "created_at",
            "interview_at",
            "rank",
        ]
