"""Webhook throughput and latency under gunicorn on loopback, measured by wrk.

Every request is a distinct, freshly signed WeChat push (its own MsgId and nonce), so
each one runs the whole pipeline: verify, decrypt, store, advise, store the reply,
render (and encrypt). A bare Flask "hello" app is served the same way for scale.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bot.wechat.simulator import WeChatSimulator

ROOT = Path(__file__).resolve().parent.parent
PYTHON_BIN = Path(sys.executable).parent
LOOPBACK = "127.0.0.1"

# Residents' messages of the kinds the account sees; mixed scam reports and everyday questions.
SAMPLE_MESSAGES = [
    "有个自称京东客服的人说我开通了百万保障，要我开屏幕共享帮我关闭，怎么办",
    "网上兼职刷单，做任务返佣金，前面返了两次，现在说要连单充值5000才能提现",
    "接到电话说我的银行卡涉嫌洗钱，让我把钱转到安全账户，还不让告诉家人",
    "朋友拉我进了一个股票群，老师说有内幕消息稳赚不赔，让我下载一个APP投资",
    "你好，请问派出所几点上班？",
    "【某银行】您的验证码是583920，5分钟内有效，请勿泄露给他人。",
    "快递员说我的包裹丢了要理赔，发来一个链接让我填银行卡号和验证码",
    "我刚才已经转了两万块给对方，现在联系不上了",
    "谢谢你们的提醒",
    "有人在游戏里说低价卖装备，让我加他VX私下交易",
    "网贷平台说我的账户被冻结了，要先交解冻费才能放款",
    "我妈妈去听了一个健康讲座，买了三万块的保健品，说能治高血压",
]

DONE_LUA = r"""
function done(summary, latency, requests)
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "status_errors": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""

# Each wrk thread reads its share of the pre-signed pushes and sends each exactly once.
PUSH_LUA = r"""
local requests = {}
local counter = 0
local done_count = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  local path = args[1]
  local threads = tonumber(args[2])
  local line_no = 0
  for line in io.lines(path) do
    if line_no % threads == id then
      local tab = string.find(line, "\t", 1, true)
      table.insert(requests, {string.sub(line, 1, tab - 1), string.sub(line, tab + 1)})
    end
    line_no = line_no + 1
  end
  index = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "text/xml"
end

function request()
  index = index + 1
  local item = requests[index]
  if item == nil then
    wrk.thread:stop()
    item = requests[#requests]
  end
  return wrk.format(nil, item[1], nil, item[2])
end
""" + DONE_LUA

HELLO_APP = """
from flask import Flask
app = Flask(__name__)

@app.get("/")
def hello():
    return "hello"
"""


def ensure_wrk() -> str:
    """wrk from Debian's packages: the HTTP load generator the bench drives."""
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk from Debian's packages ...", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False,
                   env=os.environ | {"DEBIAN_FRONTEND": "noninteractive"}, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True,
                       env=os.environ | {"DEBIAN_FRONTEND": "noninteractive"})
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("bench: wrk is needed (apt-get install wrk) and could not be installed")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def write_config(folder: Path) -> tuple[Path, dict]:
    wechat = {"token": secrets.token_hex(8), "app_id": "wxbench0000000001",
              "encoding_aes_key": base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")}
    path = folder / "bench.toml"
    path.write_text(
        f'[wechat]\ntoken = "{wechat["token"]}"\napp_id = "{wechat["app_id"]}"\n'
        f'encoding_aes_key = "{wechat["encoding_aes_key"]}"\napi_base_url = "http://{LOOPBACK}:9/cgi-bin/"\n'
        f'[storage]\ndatabase = "{folder / "bench.db"}"\n'
        f'[server]\nsecret_key = "{secrets.token_hex(16)}"\n'
        f'[knowledge]\npath = "{ROOT / "knowledge"}"\n',
        encoding="utf-8")
    return path, wechat


@contextlib.contextmanager
def gunicorn(app: str, port: int, workers: int, threads: int, env: dict, cwd: Path, log_dir: Path):
    command = [str(PYTHON_BIN / "gunicorn"), "-w", str(workers), "-k", "gthread", "--threads", str(threads),
               "-b", f"{LOOPBACK}:{port}", "--log-level", "warning", app]
    log = open(log_dir / f"gunicorn-{port}.log", "w")
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(port, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def wait_until_up(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"bench: gunicorn exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"http://{LOOPBACK}:{port}/", timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("bench: gunicorn did not come up")


def signed_requests(simulator: WeChatSimulator, mode: str, count: int, path: Path) -> None:
    """Write one pre-signed push a line: `path?query<TAB>body`."""
    from urllib.parse import urlencode

    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            text = SAMPLE_MESSAGES[number % len(SAMPLE_MESSAGES)]
            xml = simulator.text_xml(f"o_bench_{number % 500}", text)
            push = simulator.sign(xml, mode)
            out.write(f"/wechat?{urlencode(push.query)}\t{push.body.decode('utf-8')}\n")


def run_wrk(wrk: str, url: str, script: Path, data: Path | None, seconds: int, connections: int,
            threads: int) -> dict:
    command = [wrk, "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency",
               "-s", str(script), url]
    if data is not None:
        command += ["--", str(data), str(threads)]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120).stdout
    line = next((l for l in output.splitlines() if l.startswith("WRK_JSON ")), None)
    if line is None:
        raise SystemExit(f"bench: wrk printed no summary:\n{output}")
    result = json.loads(line[len("WRK_JSON "):])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def stored_outcomes(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as conn:
        return dict(conn.execute("SELECT status, COUNT(*) FROM messages GROUP BY status").fetchall())


def run(seconds: int = 10, connections: int = 8, workers: int = 2, threads: int = 4,
        requests_per_mode: int = 40000) -> dict:
    wrk = ensure_wrk()
    results: dict = {"setup": {"workers": workers, "threads_per_worker": threads,
                               "connections": connections, "seconds": seconds}}
    with tempfile.TemporaryDirectory(prefix="fanzha-bench-") as tmp:
        folder = Path(tmp)
        config_path, wechat = write_config(folder)
        env = os.environ | {"FANZHA_CONFIG": str(config_path)}
        subprocess.run([str(PYTHON_BIN / "fanzha"), "setup"], env=env, cwd=ROOT, check=True,
                       capture_output=True)
        simulator = WeChatSimulator(wechat["token"], wechat["encoding_aes_key"], wechat["app_id"])
        script = folder / "push.lua"
        script.write_text(PUSH_LUA, encoding="utf-8")
        port = free_port()
        with gunicorn("server:app", port, workers, threads, env, ROOT, folder):
            for mode in ("plaintext", "safe"):
                data = folder / f"{mode}.tsv"
                signed_requests(simulator, mode, requests_per_mode, data)
                results[mode] = run_wrk(wrk, f"http://{LOOPBACK}:{port}", script, data, seconds,
                                        connections, 2)
        results["stored"] = stored_outcomes(folder / "bench.db")
        (folder / "hello.py").write_text(HELLO_APP, encoding="utf-8")
        hello_script = folder / "hello.lua"
        hello_script.write_text(DONE_LUA, encoding="utf-8")
        port = free_port()
        with gunicorn("hello:app", port, workers, threads, os.environ.copy(), folder, folder):
            results["hello"] = run_wrk(wrk, f"http://{LOOPBACK}:{port}/", hello_script, None, seconds,
                                       connections, 2)
    for mode in ("plaintext", "safe"):
        results[mode]["ratio_to_hello"] = results[mode]["rps"] / results["hello"]["rps"]
    return results


def report(results: dict) -> str:
    setup = results["setup"]
    lines = [f"webhook under gunicorn ({setup['workers']} workers × {setup['threads_per_worker']} threads, "
             f"gthread), wrk {setup['connections']} connections × {setup['seconds']} s on loopback"]
    for name in ("plaintext", "safe", "hello"):
        r = results[name]
        ratio = f"  ({r['ratio_to_hello']:.1%} of hello)" if "ratio_to_hello" in r else ""
        lines.append(f"  {name:<10} {r['rps']:8.0f} req/s  p50 {r['p50_us'] / 1000:6.1f} ms  "
                     f"p99 {r['p99_us'] / 1000:6.1f} ms  max {r['max_us'] / 1000:6.1f} ms  "
                     f"non-2xx {r['status_errors']}  socket errors {r['socket_errors']}{ratio}")
    lines.append(f"  stored messages by status: {results['stored']}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(run()))
