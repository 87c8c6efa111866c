"""The LiveAgent emulator's departments: read only, as seeded."""

from __future__ import annotations

from ..routing import Request, Response
from .base import LiveAgentBase
from .params import DEPARTMENT_LIST_PARAMS, fail, filtered, query_params


class DepartmentRoutes(LiveAgentBase):
    def list_departments(self, request: Request) -> Response:
        query = query_params(request, DEPARTMENT_LIST_PARAMS)
        rows = [dict(d) for d in self.state["departments"].values()]
        rows = filtered(rows, query.get("_filters"))
        sort_field = query.get("_sortField", "name")
        rows.sort(key=lambda row: str(row.get(sort_field) or ""), reverse=query.get("_sortDir", "ASC") == "DESC")
        per_page = int(query.get("_perPage", "10"))
        if "_from" in query:
            start = int(query["_from"])
            end = int(query.get("_to", start + per_page))
        else:
            page = int(query.get("_page", "1"))
            start, end = (page - 1) * per_page, page * per_page
        return Response(200, rows[start:end])

    def get_department(self, request: Request) -> Response:
        query_params(request, set())
        department = self.state["departments"].get(request.params["departmentId"])
        if department is None:
            raise fail(404, "Department was not found")
        return Response(200, dict(department))
