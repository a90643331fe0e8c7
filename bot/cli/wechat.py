"""`fanzha chat`: a terminal that plays WeChat against a running server."""

from __future__ import annotations

import click
import requests

from bot.cli import Settings, pass_settings
from bot.wechat.simulator import WeChatSimulator


def register(main: click.Group) -> None:
    main.add_command(chat)


@click.command()
@click.option("--url", default="http://127.0.0.1:8000/wechat", show_default=True,
              help="The account's webhook URL.")
@click.option("--mode", type=click.Choice(["plaintext", "safe"]), default="plaintext", show_default=True)
@click.option("--openid", default="o_local_tester", show_default=True, help="Who you are to the account.")
@pass_settings
def chat(settings: Settings, url: str, mode: str, openid: str) -> None:
    """Chat with the account as a resident would; each line is one signed text message."""
    wechat = settings.config["wechat"]
    simulator = WeChatSimulator(wechat["token"], wechat["encoding_aes_key"], wechat["app_id"],
                                wechat["account_id"] or "gh_fanzha")
    click.echo("输入消息后回车发送；输入 /quit 退出。")
    while True:
        try:
            line = click.prompt("我", prompt_suffix="> ", default="", show_default=False)
        except (EOFError, click.Abort):
            break
        if line.strip() == "/quit":
            break
        if line.strip():
            click.echo(f"反诈助手> {_send(simulator, url, mode, openid, line)}\n")


def _send(simulator: WeChatSimulator, url: str, mode: str, openid: str, text: str) -> str:
    push = simulator.sign(simulator.text_xml(openid, text), mode)
    try:
        response = requests.post(url, params=push.query, data=push.body, timeout=10)
    except requests.RequestException as error:
        raise click.ClickException(f"cannot reach {url}: {error}") from None
    if response.status_code != 200:
        return f"(服务器拒绝: {response.status_code} {response.text.strip()})"
    return simulator.read_reply(response.content).get("Content", "(无回复)")
