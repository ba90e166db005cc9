"""Agents, their roles per organisation, and their sessions."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.models import Agent, AgentSession, Role
from chalicelib.store.models import AgentModel, AgentSessionModel, MembershipModel


def _agent(item: AgentModel) -> Agent:
    roles = item.roles.as_dict() if hasattr(item.roles, "as_dict") else dict(item.roles or {})
    return Agent(
        id=item.id,
        email=item.email,
        first_name=item.first_name,
        last_name=item.last_name,
        roles={org: Role(role) for org, role in roles.items()},
        service_id=item.service_id,
        password_hash=item.password_hash,
        notify_on_online_booking=bool(item.notify_on_online_booking),
    )


class AgentRepository:
    def save(self, agent: Agent) -> None:
        """Save the agent and one membership item per organisation (the agent lists)."""
        previous = self.get(agent.id)
        AgentModel(
            id=agent.id,
            email=agent.email.lower(),
            first_name=agent.first_name,
            last_name=agent.last_name,
            service_id=agent.service_id,
            password_hash=agent.password_hash,
            notify_on_online_booking=agent.notify_on_online_booking,
            roles={org: role.value for org, role in agent.roles.items()},
        ).save()
        with MembershipModel.batch_write() as batch:
            if previous is not None:
                for org in set(previous.roles) - set(agent.roles):
                    batch.delete(MembershipModel(org, agent.id))
            for org, role in agent.roles.items():
                batch.save(MembershipModel(organisation_id=org, agent_id=agent.id, role=role.value))

    def get(self, agent_id: str) -> Agent | None:
        try:
            return _agent(AgentModel.get(agent_id))
        except AgentModel.DoesNotExist:
            return None

    def get_by_email(self, email: str) -> Agent | None:
        for item in AgentModel.by_email.query(email.strip().lower(), limit=1):
            return _agent(item)
        return None

    def agents_of_organisation(self, organisation_id: str) -> list[Agent]:
        ids = [m.agent_id for m in MembershipModel.query(organisation_id)]
        if not ids:
            return []
        agents = [_agent(i) for i in AgentModel.batch_get(ids)]
        return sorted(agents, key=lambda a: (a.last_name, a.first_name))

    def organisation_ids_of_agent(self, agent_id: str) -> list[str]:
        return [m.organisation_id for m in MembershipModel.by_agent.query(agent_id)]


class SessionRepository:
    def save(self, session: AgentSession) -> None:
        AgentSessionModel(
            token_hash=session.token_hash,
            agent_id=session.agent_id,
            created_at=session.created_at,
            expires_at=session.expires_at,
        ).save()

    def get(self, token_hash: str, now: datetime) -> AgentSession | None:
        """The session, unless it has expired (DynamoDB's TTL deletes late)."""
        try:
            item = AgentSessionModel.get(token_hash)
        except AgentSessionModel.DoesNotExist:
            return None
        if item.expires_at <= now:
            return None
        return AgentSession(
            token_hash=item.token_hash,
            agent_id=item.agent_id,
            created_at=item.created_at,
            expires_at=item.expires_at,
        )

    def delete(self, token_hash: str) -> None:
        AgentSessionModel(token_hash=token_hash).delete()
