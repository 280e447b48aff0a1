"""The static files' storage of production: whitenoise's compressed, cache-busted files."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """A library's stylesheet may name a file the library does not ship (viewflow's fonts, whose
    pages we do not use): that reference stays as written instead of failing the collection."""

    def hashed_name(self, name, content=None, filename=None):
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:
            if content is None and not self.exists(self.clean_name(name)):
                return name
            raise
