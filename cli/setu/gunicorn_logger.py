"""gunicorn's access log (on where ACCESS_LOG=1, as in compose), without links' tokens.

The request line, the path and the referer name the route of a signed link (an unsubscribe
link, a report's download link) and never its token, as the services' own access log does
(setu_contract.observability.loggable_path).
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from setu_contract.observability import SECRET_PATH_PREFIXES, loggable_path


class AccessLogger(Logger):
    def atoms(self, resp: Any, req: Any, request_env: dict, request_time: Any) -> dict:
        atoms = super().atoms(resp, req, request_env, request_time)
        path = request_env.get("PATH_INFO") or ""
        logged = loggable_path(path)
        if logged != path:
            method, protocol = request_env.get("REQUEST_METHOD"), request_env.get("SERVER_PROTOCOL")
            line = f"{method} {logged} {protocol}"
            atoms.update({"r": line, "U": logged, "q": ""})
            atoms.update({"{raw_uri}e": logged, "{path_info}e": logged, "{query_string}e": ""})
        for name in ("f", "{referer}i"):
            if any(prefix in str(atoms.get(name, "")) for prefix in SECRET_PATH_PREFIXES):
                atoms[name] = "-"
        return atoms
