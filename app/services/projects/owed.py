"""The usual daily rates a project pays, for the workers with attendance and no signed
contract (:func:`app.domain.wages.owed_without_contract`).

A team's usual rate is the median daily rate (:func:`app.domain.wages.daily_rate`) of the
signed contracts of the project's employers on the project in that team; the project's is
the median over all of them. A worker without a signed contract belongs to the team named
on a contract of theirs on the project that was never signed (a draft, a contract sent or
declined); without one, the project's rate applies.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from app.domain import wages
from app.extensions import db
from app.models import Contract, Project, Worker
from app.services.projects import projects


@dataclass(frozen=True)
class UsualRates:
    """A project's usual daily rates: per team, overall, and the team of each person."""

    by_team: dict[str, Decimal] = field(default_factory=dict)
    project: Decimal | None = None
    teams: dict[str, str] = field(default_factory=dict)  # keyed hash -> team

    def of(self, id_hash: str) -> tuple[Decimal | None, str | None]:
        """(rate, source) for the person: their team's, else the project's."""
        team = self.teams.get(id_hash)
        if team and team in self.by_team:
            return self.by_team[team], "team_estimate"
        return (self.project, "project_estimate") if self.project is not None else (None, None)


def team_of(contract: Contract) -> str:
    """The team a contract names on its project (the link's, else the template's)."""
    return (contract.project_team or contract.terms.get("team") or "").strip()


def usual_rates(project: Project, people: set[str], wage_of, in_force: tuple[str, ...]
                ) -> UsualRates:
    """The project's usual daily rates, and the teams of ``people`` (keyed hashes of the
    workers with no signed contract); ``wage_of`` reads a contract's :class:`Wage`."""
    employers = [project.contractor_id, *projects.accepted_members(project)]
    on = (Contract.organization_id.in_(employers), Contract.document_kind == "contract",
          projects.on_project(project))
    rates: dict[str, list[Decimal]] = defaultdict(list)
    every: list[Decimal] = []
    for contract in db.session.scalars(select(Contract).where(
            *on, Contract.status.in_(in_force))):
        wage = wage_of(contract)
        rate = wages.daily_rate(wage) if wage else None
        if rate is not None:
            every.append(rate)
            rates[team_of(contract)].append(rate)
    teams: dict[str, str] = {}
    if people:
        for contract, id_hash in db.session.execute(
                select(Contract, Worker.id_hash).join(Worker, Contract.worker_id == Worker.id)
                .where(*on, Worker.id_hash.in_(sorted(people))).order_by(Contract.id)):
            if team := team_of(contract):
                teams[id_hash] = team  # the latest contract's team
    return UsualRates({team: wages.usual_daily(found) for team, found in rates.items() if team},
                      wages.usual_daily(every), teams)
