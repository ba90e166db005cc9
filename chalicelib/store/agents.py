"""Agents, their roles per organisation, and their sessions."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import UpdateError

from chalicelib.domain.models import Agent, AgentLink, AgentLinkPurpose, AgentSession, Role
from chalicelib.store.models import AgentLinkModel, AgentModel, AgentSessionModel, MembershipModel


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


def _session(item: AgentSessionModel) -> AgentSession:
    return AgentSession(
        token_hash=item.token_hash,
        agent_id=item.agent_id,
        organisation_id=item.organisation_id or "",
        created_at=item.created_at,
        last_seen_at=item.last_seen_at or item.created_at,
        expires_at=item.expires_at,
        absolute_expires_at=item.absolute_expires_at or item.expires_at,
    )


class SessionRepository:
    def save(self, session: AgentSession) -> None:
        AgentSessionModel(
            token_hash=session.token_hash,
            agent_id=session.agent_id,
            organisation_id=session.organisation_id,
            created_at=session.created_at,
            last_seen_at=session.last_seen_at,
            expires_at=session.expires_at,
            absolute_expires_at=session.absolute_expires_at,
        ).save()

    def get(self, token_hash: str, now: datetime) -> AgentSession | None:
        """The session, unless it has expired (DynamoDB's TTL deletes late)."""
        try:
            item = AgentSessionModel.get(token_hash, consistent_read=True)
        except AgentSessionModel.DoesNotExist:
            return None
        session = _session(item)
        if session.expires_at <= now or session.absolute_expires_at <= now:
            return None
        return session

    def touch(self, session: AgentSession, last_seen_at: datetime, expires_at: datetime) -> None:
        """Move the idle expiry on, unless the session was revoked meanwhile."""
        try:
            AgentSessionModel(token_hash=session.token_hash).update(
                actions=[
                    AgentSessionModel.last_seen_at.set(last_seen_at),
                    AgentSessionModel.expires_at.set(expires_at),
                ],
                condition=AgentSessionModel.token_hash.exists(),
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise

    def switch_organisation(self, session: AgentSession, organisation_id: str) -> None:
        AgentSessionModel(token_hash=session.token_hash).update(
            actions=[AgentSessionModel.organisation_id.set(organisation_id)],
            condition=AgentSessionModel.token_hash.exists(),
        )

    def delete(self, token_hash: str) -> None:
        AgentSessionModel(token_hash=token_hash).delete()

    def delete_of_agent(self, agent_id: str) -> int:
        """Sign the agent out everywhere; returns how many sessions were removed."""
        hashes = [i.token_hash for i in AgentSessionModel.by_agent.query(agent_id)]
        with AgentSessionModel.batch_write() as batch:
            for token_hash in hashes:
                batch.delete(AgentSessionModel(token_hash=token_hash))
        return len(hashes)


class AgentLinkRepository:
    def save(self, link: AgentLink) -> None:
        AgentLinkModel(
            token_hash=link.token_hash,
            agent_id=link.agent_id,
            purpose=link.purpose.value,
            created_at=link.created_at,
            expires_at=link.expires_at,
        ).save(condition=AgentLinkModel.token_hash.does_not_exist())

    def get(self, token_hash: str) -> AgentLink | None:
        try:
            item = AgentLinkModel.get(token_hash, consistent_read=True)
        except AgentLinkModel.DoesNotExist:
            return None
        return AgentLink(
            token_hash=item.token_hash,
            agent_id=item.agent_id,
            purpose=AgentLinkPurpose(item.purpose),
            created_at=item.created_at,
            expires_at=item.expires_at,
            used_at=item.used_at,
        )

    def use(self, token_hash: str, now: datetime) -> bool:
        """Mark the link used, once: False when it was already used or has expired."""
        try:
            AgentLinkModel(token_hash=token_hash).update(
                actions=[AgentLinkModel.used_at.set(now)],
                condition=AgentLinkModel.token_hash.exists()
                & AgentLinkModel.used_at.does_not_exist()
                & (AgentLinkModel.expires_at > now),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True
