"""The API's authentication as the OpenAPI document describes it (drf-spectacular)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.access.BearerToken"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Un jeton d’API (eig_…), créé depuis son compte : /compte/jetons/.",
        }
