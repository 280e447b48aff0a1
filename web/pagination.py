"""Page numbers over long lists that stay fast however deep the page."""

from django.core.paginator import Paginator


class KeysFirstPaginator(Paginator):
    """A page's keys first, then its rows by key. An OFFSET deep in a list of 100,000 makes
    PostgreSQL build (join, read) every row it skips; the keys alone come off the sort's index,
    and only the page's rows are then read whole (docs/benchmarks.md, section 2)."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = self.object_list.order_by().in_bulk(keys)
        return self._get_page([rows[key] for key in keys if key in rows], number, self)
