"""Config loading and the CLI's one-line errors: every problem named with file, key or line."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.alerts.email import EmailOptions
from monitor.alerts.webhook import WebhookOptions
from monitor.cli import main
from monitor.config.load import load_config
from monitor.errors import ConfigError

GOOD = """
[monitor]
state_dir = "state"

[[sources]]
id = "a"
name = "وكالة أ"
url = "https://a.example/feed.xml"

[[channels]]
type = "console"
"""

# An email channel without its "to" (each case adds its own keys).
EMAIL = """
[[channels]]
type = "email"
name = "e"
smtp_host = "smtp.example"
from_addr = "m@example.org"
"""


def write(tmp_path: Path, text: str, name: str = "monitor.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_config_loads_with_packaged_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.sources[0].name == "وكالة أ"
    assert config.state_dir == tmp_path / "state"
    assert config.timeline.events and config.rules is not None


def test_shipped_config_is_valid() -> None:
    config = load_config(Path(__file__).parent.parent / "config" / "monitor.toml")
    assert len(config.sources) >= 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD + "\n[http]\nconect_timeout_seconds = 3\n",
            "unknown key 'conect_timeout_seconds' (did you mean 'connect_timeout_seconds'?)",
        ),
        (GOOD.replace('url = "https://a.example/feed.xml"', 'url = "ftp://x"'), "http(s) URL"),
        (GOOD + "\n[http]\nconcurrency = -1\n", "'concurrency' must be greater than 0"),
        (GOOD + "\n[http]\nconcurrency = 'many'\n", "'concurrency' must be an integer"),
        (GOOD.replace('id = "a"\n', ""), "missing required key 'id'"),
        (GOOD + '\n[[channels]]\ntype = "pigeon"\n', "must be one of"),
        (GOOD + '\n[[channels]]\ntype = "email"\nname = "e"\n', "missing required key 'smtp_host'"),
        (GOOD + "\n[monitor.x]\n", "unknown key 'x'"),
        (
            GOOD.replace("[[sources]]", '[[sources]]\ncss_selector = "div[["'),
            "invalid CSS selector",
        ),
        (GOOD + '\n[[channels]]\ntype = "console"\ndigest_at = "8am"\n', "must be HH:MM"),
        (
            GOOD + '\n[[channels]]\ntype = "webhook"\nname = "h"\nurl = "https://h.example/"\n'
            'timeout_seconds = "slow"\n',
            "key 'timeout_seconds' must be a number",
        ),
        (GOOD + EMAIL + "smtp_port = 0\n", "key 'smtp_port' must be greater than 0"),
        (GOOD + EMAIL + "to = [5]\n", "key 'to' must be a list of strings"),
        (GOOD + EMAIL + 'ca_file = "no-such-ca.pem"\n', "key 'ca_file': file not found"),
        (
            GOOD + '\n[[channels]]\ntype = "console"\nname = "c2"\ndigest_timezone = "Mars/Base"\n',
            "key 'digest_timezone': unknown time zone 'Mars/Base'",
        ),
        (
            GOOD + '\n[[channels]]\ntype = "console"\nname = "c3"\nimmediate = ["consistent"]\n'
            'digest = ["consistent", "new"]\n',
            "verdict 'consistent' is in both 'immediate' and 'digest'",
        ),
    ],
    ids=[
        "unknown-key",
        "bad-url",
        "negative",
        "wrong-type",
        "missing-id",
        "bad-channel-type",
        "email-missing-host",
        "unknown-table",
        "bad-selector",
        "bad-digest-time",
        "channel-timeout-type",
        "smtp-port-not-positive",
        "email-to-type",
        "missing-ca-file",
        "bad-digest-timezone",
        "verdict-now-and-in-digest",
    ],
)
def test_problems_name_the_key(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    assert expected in str(err.value)
    assert str(tmp_path / "monitor.toml") in str(err.value)


def test_all_problems_are_listed_at_once(tmp_path: Path) -> None:
    text = GOOD + "\n[http]\nbogus = 1\nconcurrency = 0\n"
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    assert len(err.value.problems) == 2


def test_secret_from_env_and_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret_file = tmp_path / "hook_secret"
    secret_file.write_text("whsec_ZmlsZXNlY3JldA==\n")
    monkeypatch.setenv("SMTP_PW", "hunter2")
    text = (
        GOOD
        + f"""
[[channels]]
type = "webhook"
name = "hook"
url = "https://hooks.example/x"
secret_file = "{secret_file}"

[[channels]]
type = "email"
name = "mail"
smtp_host = "smtp.example"
from_addr = "m@example.org"
to = "desk@example.org"
password_env = "SMTP_PW"
"""
    )
    config = load_config(write(tmp_path, text))
    hook, mail = config.channels[1], config.channels[2]
    assert isinstance(hook.options, WebhookOptions) and isinstance(mail.options, EmailOptions)
    assert hook.options.secret == "whsec_ZmlsZXNlY3JldA=="
    assert mail.options.password == "hunter2" and mail.options.to == ("desk@example.org",)
    dumped = str(config.redacted())
    assert "hunter2" not in dumped and "ZmlsZXNlY3JldA" not in dumped


# ----------------------------------------------------------------------------- CLI exit codes


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["--config", str(tmp_path / "nope.toml"), "check-config"], capsys)
    assert code == 1
    assert err.count("\n") == 1 and "nope.toml: file not found" in err


def test_cli_toml_syntax_error_names_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, GOOD + "\n[http\nconcurrency = 2\n")
    code, _, err = run_cli(["--config", str(path), "check-config"], capsys)
    assert code == 1 and err.count("\n") == 1
    assert "TOML syntax error" in err and "line 13" in err


def test_cli_unknown_key_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, GOOD + "\n[health]\nmetrics_prot = 9108\nfailure_alert_after = 0\n")
    code, _, err = run_cli(["check-config", "--config", str(path)], capsys)
    assert code == 1 and err.count("\n") == 1
    assert "2 config problems" in err and "metrics_prot" in err


def test_cli_check_config_redacts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path,
        GOOD + '\n[[channels]]\ntype = "webhook"\nname = "h"\n'
        'url = "https://h.example/"\nsecret = "whsec_c2VjcmV0"\n',
    )
    code, out, _ = run_cli(["--config", str(path), "check-config"], capsys)
    assert code == 0 and "c2VjcmV0" not in out and '"secret": "***"' in out


def test_cli_without_command_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2


def test_every_command_has_help() -> None:
    from monitor.cli import _parser

    parser = _parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, cmd in sub.choices.items():  # type: ignore[attr-defined]
        assert cmd.description, name


def test_credentials_in_urls_never_leave_the_process(tmp_path: Path) -> None:
    from monitor.errors import FetchError

    text = GOOD.replace("https://a.example/feed.xml", "https://user:s3cret@a.example/feed.xml")
    config = load_config(write(tmp_path, text))
    assert "s3cret" not in str(config.redacted())
    err = FetchError(
        "fetch: feed https://user:s3cret@a.example/x: HTTP 500",
        url="https://user:s3cret@a.example/x",
    )
    assert "s3cret" not in str(err) and "s3cret" not in err.url


def test_a_wrong_type_is_one_problem_not_two(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, GOOD + EMAIL + 'smtp_port = "x"\n'))
    assert "key 'smtp_port' must be an integer" in str(err.value)
    assert "greater than 0" not in str(err.value)


def test_a_verdict_sent_at_once_leaves_the_default_digest(tmp_path: Path) -> None:
    text = (
        GOOD + '\n[[channels]]\ntype = "console"\nname = "all"\nimmediate = ["consistent", "new"]\n'
    )
    channel = next(c for c in load_config(write(tmp_path, text)).channels if c.name == "all")
    assert channel.immediate == ("consistent", "new") and channel.digest == ()
