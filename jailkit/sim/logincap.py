"""login_cap(3) and setusercontext(3) (lib/libutil/login_class.c): the
environment a login class gives a process, as jail(8)'s exec.clean and
jexec(8)'s -l build it after emptying the environment.

The sim's world has FreeBSD 14's /etc/login.conf unchanged, so every class
is its "default" class (root's class "root" is "default" too, with
ignorenologin): path "/sbin /bin /usr/sbin /usr/bin /usr/local/sbin
/usr/local/bin ~/bin", lang C.UTF-8, charset UTF-8, mail /var/mail/$,
setenv BLOCKSIZE=K."""

from __future__ import annotations

from .passwd import Account

_PATH_BSHELL = "/bin/sh"
CLASS_PATH = ("/sbin", "/bin", "/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "~/bin")


def _substitute(value: str, account: Account) -> str:
    """substvar(): ~ is the home directory, $ the user's name."""
    return value.replace("~", account.home.rstrip("/") or "/").replace("$", account.name)


def clean_environment(account: Account, term: str | None) -> dict[str, str]:
    """The environment after ``environ = &cleanenv``: PATH=/bin:/usr/bin and
    TERM kept, then setusercontext(LOGIN_SETPATH | LOGIN_SETENV) (the class's
    path, lang, charset, mail and setenv), then USER, HOME and SHELL from the
    passwd entry (usr.sbin/jail/command.c run_command, usr.sbin/jexec)."""
    env = {"PATH": "/bin:/usr/bin"}
    if term is not None:
        env["TERM"] = term
    env["PATH"] = ":".join(_substitute(part, account) for part in CLASS_PATH)
    env.update({"LANG": "C.UTF-8", "MM_CHARSET": "UTF-8",
                "MAIL": _substitute("/var/mail/$", account), "BLOCKSIZE": "K"})
    env.update({"USER": account.name, "HOME": account.home,
                "SHELL": account.shell or _PATH_BSHELL})
    return env
