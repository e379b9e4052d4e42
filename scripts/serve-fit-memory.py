#!/usr/bin/env python3
"""Resident memory of `rota serve` over repeated fits (issue 27, docs/limits.md).

scripts/serve-fit-memory.py BINARY CLIENTS FITS [rota serve flags...]
Plans a generated day (seed 3, 10 s), then posts FITS fits of a twin of its
first client, printing VmRSS/VmHWM (MiB) after each and 3 s later."""
import json, subprocess, sys, time, urllib.request, tempfile, os, re
binary, clients, nfits = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
extra = sys.argv[4:]
day = json.loads(subprocess.check_output([binary, "generate", "--clients", str(clients), "--seed", "3"]))
day["settings"]["time_limit_seconds"] = 10
d = tempfile.mkdtemp()
env = dict(os.environ)
p = subprocess.Popen([binary, "serve", "--addr", "127.0.0.1:0", "--data-dir", d] + extra, stderr=subprocess.PIPE, env=env, text=True)
line = p.stderr.readline()
while "listening" not in line: line = p.stderr.readline()
url = line.strip().split()[-1]
def rss():
    s = open(f"/proc/{p.pid}/status").read()
    return int(re.search(r"VmRSS:\s+(\d+)", s).group(1)) // 1024, int(re.search(r"VmHWM:\s+(\d+)", s).group(1)) // 1024
def post(path, body):
    r = urllib.request.Request(url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(r, timeout=300) as f: return f.status, json.loads(f.read())
    except urllib.error.HTTPError as e: return e.code, json.loads(e.read())
t = time.time(); st, job = post("/v1/plans?wait=60", day)
print("plan", st, job.get("status"), round(time.time()-t,1), "rss/hwm MiB", rss(), flush=True)
client = json.loads(json.dumps(day["clients"][0])); client["id"] = "NEW1"
ren = {v["id"]: f"NEW1-{j}" for j,v in enumerate(client["visits"])}
for v in client["visits"]:
    v["id"] = ren[v["id"]]
    if v.get("after"): v["after"]["visit"] = ren[v["after"]["visit"]]
for i in range(nfits):
    t = time.time(); st, ans = post(f"/v1/plans/{job['id']}/fit", {"client": client, "options": 20})
    r1 = rss(); time.sleep(3)
    print("fit", i+1, st, ans.get("fits", str(ans)[:300]), round(time.time()-t,1), "rss/hwm MiB", r1, "3s later", rss(), flush=True)
p.terminate(); p.wait()
