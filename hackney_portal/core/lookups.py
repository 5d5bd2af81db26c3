"""`field__any=[...]`: one array parameter where `__in` writes a placeholder per value.

Jobs that read a big table in chunks of a few thousand ids (the H-CLIC return) spent a tenth of their time
having the driver parse and bind a statement with thousands of placeholders, once per chunk and table;
`= ANY(%s)` with the ids as one array is the same filter, and the same plan, for one parameter.
"""

from __future__ import annotations

from django.db.models import Field, ForeignObject, Lookup


class Any(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [list(value)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def register() -> None:
    Field.register_lookup(Any)
    ForeignObject.register_lookup(Any)  # foreign keys keep a lookup list of their own: `case_id__any`
