"""Generated API clients against the real service (`make openapi-check`).

Generates two clients from the OpenAPI document `rota serve --print-openapi`
wrote, with two common generators (installed, pinned, by `make
openapi-validator`; both run offline):

- openapi-python-client: a client package (attrs models and one function
  per operation);
- datamodel-code-generator: pydantic v2 models.

Then, for each, the sample request (data/sample-day.json) is read into the
generated `Request` model and written back out, and must be the same JSON.
The HTTP calls go through the openapi-python-client client itself: it
starts `rota serve` on a free port, posts the sample request (`POST
/v1/plans?wait=`), reads the finished job (`GET /v1/plans/{id}`), checks
its plan (`POST /v1/check`) and lists the jobs; the finished job and its
plan must survive both generated models unchanged too.

Usage: python round_trip.py ROTA OPENAPI_JSON REQUEST_JSON OUT_DIR
Exits non-zero, saying what differs, on any failure.
"""

import datetime
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


def generate(bin_dir, openapi, out):
    """Both clients into `out`: the package `rota_client` and the module
    `rota_models`. Each generator's output is read, not trusted: it must
    have models for every schema the round trip uses."""
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    package = os.path.join(out, "rota_client")
    run(
        [
            os.path.join(bin_dir, "openapi-python-client"),
            "generate",
            "--path",
            openapi,
            "--output-path",
            package,
            "--meta",
            "none",
            "--fail-on-warning",
        ]
    )
    run(
        [
            os.path.join(bin_dir, "datamodel-codegen"),
            "--input",
            openapi,
            "--input-file-type",
            "openapi",
            "--output",
            os.path.join(out, "rota_models.py"),
            "--output-model-type",
            "pydantic_v2.BaseModel",
            "--formatters",
            "ruff-format",
            "--disable-timestamp",
        ]
    )
    sys.path.insert(0, out)


def run(cmd):
    env = dict(os.environ)
    # The generators call ruff, installed beside them in the venv.
    env["PATH"] = os.path.dirname(cmd[0]) + os.pathsep + env.get("PATH", "")
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.exit(
            f"{os.path.basename(cmd[0])} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )


def instant(v):
    """A string holding an RFC 3339 date-time, as a datetime; else None."""
    if not isinstance(v, str) or "T" not in v:
        return None
    try:
        t = datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo is not None else None


def diff(want, got, path="$"):
    """The first place two JSON values differ (numbers by value), or None."""
    if isinstance(want, dict) and isinstance(got, dict):
        for k in sorted(set(want) | set(got)):
            if k not in got:
                return f"{path}.{k}: missing after the round trip"
            if k not in want:
                return f"{path}.{k}: added by the round trip ({json.dumps(got[k])[:80]})"
            d = diff(want[k], got[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            return f"{path}: {len(want)} items became {len(got)}"
        for i, (w, g) in enumerate(zip(want, got)):
            d = diff(w, g, f"{path}[{i}]")
            if d:
                return d
        return None
    if isinstance(want, bool) or isinstance(got, bool):
        same = want is got
    elif isinstance(want, (int, float)) and isinstance(got, (int, float)):
        same = want == got
    elif instant(want) is not None and instant(got) is not None:
        # A date-time (a plan's `issued`): the same instant, however the
        # generator writes UTC ("Z" or "+00:00").
        same = instant(want) == instant(got)
    else:
        same = type(want) is type(got) and want == got
    return None if same else f"{path}: {json.dumps(want)[:80]} became {json.dumps(got)[:80]}"


def same(what, want, got):
    d = diff(want, got)
    if d:
        sys.exit(f"{what}: not the same after the round trip: {d}")
    print(f"ok: {what}")


def via_attrs(cls, value):
    """openapi-python-client's model: from_dict, to_dict, through JSON text."""
    return json.loads(json.dumps(cls.from_dict(value).to_dict()))


def via_pydantic(cls, value):
    """datamodel-code-generator's model: model_validate, model_dump (the
    fields given, by their JSON names)."""
    return json.loads(
        cls.model_validate(value).model_dump_json(by_alias=True, exclude_unset=True)
    )


def start_service(rota, data_dir):
    proc = subprocess.Popen(
        [rota, "serve", "--addr", "127.0.0.1:0", "--data-dir", data_dir,
         "--workers", "1", "--max-time-limit", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        if line.startswith("listening on "):
            return proc, line[len("listening on "):].strip()
    proc.kill()
    sys.exit("rota serve did not say where it listens")


def main():
    rota, openapi, request_path, out = sys.argv[1:5]
    generate(os.path.dirname(os.path.abspath(sys.executable)), openapi, out)
    client_pkg = importlib.import_module("rota_client")
    attrs_models = importlib.import_module("rota_client.models")
    pyd = importlib.import_module("rota_models")

    with open(request_path) as f:
        request = json.load(f)
    same("Request through openapi-python-client", request,
         via_attrs(attrs_models.Request, request))
    same("Request through datamodel-code-generator", request,
         via_pydantic(pyd.Request, request))

    api_jobs = importlib.import_module("rota_client.api.jobs")
    create_plan = importlib.import_module("rota_client.api.jobs.create_plan")
    get_plan = importlib.import_module("rota_client.api.jobs.get_plan")
    list_plans = importlib.import_module("rota_client.api.jobs.list_plans")
    check_plan = importlib.import_module("rota_client.api.check.check_plan")
    del api_jobs

    with tempfile.TemporaryDirectory() as data_dir:
        proc, base = start_service(rota, data_dir)
        try:
            client = client_pkg.Client(base_url=base, raise_on_unexpected_status=True)
            posted = create_plan.sync_detailed(
                client=client, body=attrs_models.Request.from_dict(request), wait=60.0
            )
            if posted.status_code != 200:
                sys.exit(f"POST /v1/plans: {posted.status_code} {posted.content[:300]!r}")
            job_id = posted.parsed.id
            got = get_plan.sync_detailed(job_id, client=client)
            job = json.loads(got.content)
            if job.get("status") != "done" or not job.get("plan"):
                sys.exit(f"the job did not finish with a plan: {json.dumps(job)[:300]}")
            # The generated client's own view of the job must be the JSON.
            same("finished job as read by openapi-python-client", job,
                 json.loads(json.dumps(got.parsed.to_dict())))
            same("finished job through datamodel-code-generator", job,
                 via_pydantic(pyd.JobView, job))
            plan = job["plan"]
            if not any(s["kind"] == "break" for r in plan["rounds"] for s in r["stops"]):
                sys.exit("the sample plan has no break: the round trip would not cover BreakStop")
            same("Plan through openapi-python-client", plan,
                 via_attrs(attrs_models.Plan, plan))
            same("Plan through datamodel-code-generator", plan,
                 via_pydantic(pyd.Plan, plan))

            body = attrs_models.CheckBody.from_dict({"request": request, "plan": plan})
            checked = check_plan.sync(client=client, body=body)
            if checked is None or checked.valid is not True:
                sys.exit(f"POST /v1/check through the generated client: {checked}")
            print("ok: POST /v1/check through openapi-python-client: valid")

            listed = list_plans.sync(client=client)
            mine = [j for j in listed.jobs if j.id == job_id]
            if len(mine) != 1 or str(mine[0].date) != request["date"]:
                sys.exit(f"the job list does not show the job with its date: {listed.to_dict()}")
            print("ok: GET /v1/plans through openapi-python-client: the job with its date")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print("generated clients: every round trip is the same JSON")


if __name__ == "__main__":
    main()
