"""Worker sign-in against the workteams' Cognito user pool, and portal sessions.

Sign-in is the real thing: USER_PASSWORD_AUTH InitiateAuth on the user pool served by this
endpoint (moto), the user's groups from AdminListGroupsForUser, and team membership exactly
as Ground Truth defines it: the user is in a group named by one of the team's
CognitoMemberDefinition UserGroup entries. Sessions live in SQLite (only a hash of the
cookie value is stored) and expire; each carries its own CSRF token.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass

from botocore.exceptions import ClientError

from groundtruth_local.context import LocalContext
from groundtruth_local.store import Store
from groundtruth_local.tasks import Worker

log = logging.getLogger(__name__)

WORKTEAM_KIND = "workteam"
DEFAULT_SESSION_SECONDS = 8 * 3600

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks_portal_sessions (
    session_hash TEXT PRIMARY KEY,
    worker TEXT NOT NULL,
    csrf TEXT NOT NULL,
    expires_at REAL NOT NULL
)
"""


class SignInError(Exception):
    """Why a sign-in failed, in words for the worker."""


@dataclass(frozen=True)
class NewPasswordRequired:
    """Cognito wants a new password first (users created with a temporary one)."""

    session: str


@dataclass(frozen=True)
class Session:
    worker: Worker
    csrf: str


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def worker_id_for(region: str, sub: str) -> str:
    """Ground Truth's workerId shape: `private.<region>.<16 hex>`, stable per Cognito sub."""
    return f"private.{region}.{hashlib.sha256(sub.encode()).hexdigest()[:16]}"


class Sessions:
    def __init__(self, store: Store, lifetime: float = DEFAULT_SESSION_SECONDS) -> None:
        self.store = store
        self.lifetime = lifetime
        with store.connection() as conn:
            conn.execute(_SCHEMA)

    def create(self, worker: Worker, now: float) -> tuple[str, str]:
        session_id = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        document = {**worker.__dict__, "teams": sorted(worker.teams)}
        with self.store.connection() as conn:
            conn.execute("DELETE FROM tasks_portal_sessions WHERE expires_at < ?", (now,))
            conn.execute(
                "INSERT INTO tasks_portal_sessions (session_hash, worker, csrf, expires_at)"
                " VALUES (?, ?, ?, ?)",
                (_hash(session_id), json.dumps(document), csrf, now + self.lifetime),
            )
        return session_id, csrf

    def get(self, session_id: str | None, now: float) -> Session | None:
        if not session_id:
            return None
        with self.store.connection() as conn:
            row = conn.execute(
                "SELECT worker, csrf, expires_at FROM tasks_portal_sessions WHERE session_hash = ?",
                (_hash(session_id),),
            ).fetchone()
            if row is None:
                return None
            if row[2] < now:
                conn.execute(
                    "DELETE FROM tasks_portal_sessions WHERE session_hash = ?",
                    (_hash(session_id),),
                )
                return None
        document = json.loads(row[0])
        document["teams"] = frozenset(document["teams"])
        return Session(Worker(**document), row[1])

    def delete(self, session_id: str | None) -> None:
        if session_id:
            with self.store.connection() as conn:
                conn.execute(
                    "DELETE FROM tasks_portal_sessions WHERE session_hash = ?",
                    (_hash(session_id),),
                )


class CognitoSignIn:
    """Authenticates workers against the user pool(s) named by the region's workteams."""

    def __init__(self, context: LocalContext) -> None:
        self.context = context

    def _teams(self) -> list[tuple[str, list[dict[str, str]]]]:
        teams = []
        for resource in self.context.store.list_resources(WORKTEAM_KIND, self.context.region):
            definitions = [
                member["CognitoMemberDefinition"]
                for member in resource.doc.get("MemberDefinitions", [])
                if "CognitoMemberDefinition" in member
            ]
            teams.append((resource.arn, definitions))
        return teams

    def sign_in(
        self,
        username: str,
        password: str,
        *,
        new_password: str | None = None,
        challenge_session: str | None = None,
    ) -> Worker | NewPasswordRequired:
        teams = self._teams()
        pools = sorted(
            {(d["UserPool"], d["ClientId"]) for _, definitions in teams for d in definitions}
        )
        if not pools:
            raise SignInError("No work team uses a Cognito user pool yet, so nobody can sign in.")
        cognito = self.context.client("cognito-idp")
        for pool_id, client_id in pools:
            try:
                result = cognito.initiate_auth(
                    ClientId=client_id,
                    AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": username, "PASSWORD": password},
                )
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code")
                if code in ("NotAuthorizedException", "UserNotFoundException"):
                    continue
                log.warning("cognito sign-in failed: %s", code)
                raise SignInError(f"Sign-in failed: {code}.") from error
            if result.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
                if not new_password:
                    return NewPasswordRequired(result["Session"])
                try:
                    result = cognito.respond_to_auth_challenge(
                        ClientId=client_id,
                        ChallengeName="NEW_PASSWORD_REQUIRED",
                        Session=result["Session"],
                        ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password},
                    )
                except ClientError as error:
                    message = error.response.get("Error", {}).get("Message", "")
                    raise SignInError(f"The new password was refused: {message}") from error
            return self._worker(cognito, pool_id, result["AuthenticationResult"], teams)
        raise SignInError("Incorrect user name or password.")

    def _worker(
        self,
        cognito: object,
        pool_id: str,
        tokens: dict[str, str],
        teams: list[tuple[str, list[dict[str, str]]]],
    ) -> Worker:
        user = cognito.get_user(AccessToken=tokens["AccessToken"])  # type: ignore[attr-defined]
        username = user["Username"]
        sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
        groups = {
            group["GroupName"]
            for group in cognito.admin_list_groups_for_user(  # type: ignore[attr-defined]
                UserPoolId=pool_id, Username=username
            )["Groups"]
        }
        member_of = frozenset(
            arn
            for arn, definitions in teams
            if any(d["UserPool"] == pool_id and d["UserGroup"] in groups for d in definitions)
        )
        if not member_of:
            raise SignInError(
                f"{username} is not in any work team: ask your admin to add you to one of the"
                " user groups the work teams name."
            )
        region = self.context.region
        return Worker(
            sub=sub,
            worker_id=worker_id_for(region, sub),
            issuer=f"https://cognito-idp.{region}.amazonaws.com/{pool_id}",
            username=username,
            teams=member_of,
        )
