"""Shell completion scripts (bash, zsh, fish) generated from the argparse parser.

Everything comes from the parser's own actions, so a subcommand or option added to
tui.cli.build_parser() is completed without touching this file. What an argument's
value completes to: `action.complete` if set (a list of words, a callable giving one,
or "file"), else its `choices`, else files when its metavar is FILE/PATH/DIR, else
nothing (an ID or a query is typed).

Why not a library: shtab (the well-kept static generator) writes bash, zsh and tcsh but
not fish, and argcomplete starts Python on every TAB; this is a small static generator
for the three shells the README names. No Textual here.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field

SHELLS = ("bash", "zsh", "fish")
FILE_METAVARS = {"FILE", "PATH", "DIR"}


@dataclass
class Arg:
    """One option or positional: how it is written and what its value completes to."""

    flags: list[str]  # option strings; [] for a positional
    help: str
    takes_value: bool
    words: list[str] = field(default_factory=list)
    files: bool = False
    many: bool = False  # a positional taking several values
    optional: bool = False  # a positional that may be left out
    metavar: str = ""


@dataclass
class Command:
    name: str
    help: str
    args: list[Arg]
    subcommands: list[Command] = field(default_factory=list)


def _values(action: argparse.Action) -> tuple[list[str], bool]:
    how = getattr(action, "complete", None)
    if callable(how):
        how = how()
    if how == "file":
        return [], True
    if how:
        return [str(w) for w in how], False
    if action.choices and not isinstance(action, argparse._SubParsersAction):
        return [str(c) for c in action.choices], False
    metavar = action.metavar if isinstance(action.metavar, str) else ""
    return [], metavar.upper() in FILE_METAVARS


def _arg(action: argparse.Action) -> Arg:
    words, files = _values(action)
    takes_value = action.nargs != 0
    metavar = action.metavar if isinstance(action.metavar, str) else action.dest.upper()
    return Arg(
        flags=list(action.option_strings),
        help=" ".join((action.help or "").split()) if action.help != argparse.SUPPRESS else "",
        takes_value=takes_value,
        words=words,
        files=files,
        many=action.nargs in ("+", "*", argparse.REMAINDER),
        optional=action.nargs in ("?", "*"),
        metavar=metavar,
    )


def model(parser: argparse.ArgumentParser, name: str | None = None) -> Command:
    """The parser as data: its options, positionals and subcommands, in order."""
    args: list[Arg] = []
    subs: list[Command] = []
    for action in parser._actions:  # argparse has no public way to list its actions
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for sub_name, sub_parser in action.choices.items():
                sub = model(sub_parser, sub_name)
                sub.help = " ".join(helps.get(sub_name, "").split())
                subs.append(sub)
        elif action.help != argparse.SUPPRESS:
            args.append(_arg(action))
    return Command(name or parser.prog, "", args, subs)


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script for `shell` (bash, zsh or fish)."""
    if shell not in SHELLS:
        raise ValueError(f"unknown shell '{shell}': use one of {', '.join(SHELLS)}")
    return {"bash": bash, "zsh": zsh, "fish": fish}[shell](model(parser))


def _ident(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


# ------------------------------------------------------------------------------ bash


def _sq(text: str) -> str:
    """A single-quoted word for bash, zsh or POSIX sh."""
    return "'" + text.replace("'", "'\\''") + "'"


def _bash_values(arg: Arg, indent: str) -> list[str]:
    if arg.files:
        return [
            f"{indent}compopt -o filenames 2>/dev/null",
            f'{indent}COMPREPLY=($(compgen -f -- "$cur"))',
        ]
    if arg.words:
        return [f'{indent}COMPREPLY=($(compgen -W {_sq(" ".join(arg.words))} -- "$cur"))']
    return [f"{indent}COMPREPLY=()"]


def _bash_body(cmd: Command, indent: str) -> list[str]:
    """Complete an option's value after it, an option after '-', else a positional."""
    out: list[str] = []
    valued = [a for a in cmd.args if a.flags and a.takes_value]
    if valued:
        out.append(f'{indent}case "$prev" in')
        for a in valued:
            out.append(f"{indent}    {'|'.join(a.flags)})")
            out += _bash_values(a, indent + "        ")
            out.append(f"{indent}        return;;")
        out.append(f"{indent}esac")
    flags = " ".join(f for a in cmd.args for f in a.flags)
    words = " ".join(s.name for s in cmd.subcommands)
    out.append(f'{indent}if [[ "$cur" == -* ]]; then')
    out.append(f'{indent}    COMPREPLY=($(compgen -W {_sq(flags)} -- "$cur"))')
    if cmd.subcommands:
        out.append(f"{indent}else")
        out.append(f'{indent}    COMPREPLY=($(compgen -W {_sq(words)} -- "$cur"))')
    else:
        positionals = [a for a in cmd.args if not a.flags]
        if positionals:
            # which positional: the first one that takes several values, or the only one
            out.append(f"{indent}else")
            pos = next((a for a in positionals if a.many or a.files or a.words), positionals[0])
            out += _bash_values(pos, indent + "    ")
    out.append(f"{indent}fi")
    return out


def bash(root: Command) -> str:
    fn = f"_{_ident(root.name)}_complete"
    valued = [f for a in root.args if a.flags and a.takes_value for f in a.flags]
    lines = [
        f"# bash completion for {root.name} (generated by `{root.name} completion bash`)",
        f"{fn}() {{",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
        '    local i cmd=""',
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        '        case "${COMP_WORDS[i]}" in',
    ]
    if valued:
        lines.append(f"            {'|'.join(valued)}) ((i++));;")
    lines += [
        "            -*) ;;",
        '            *) cmd="${COMP_WORDS[i]}"; break;;',
        "        esac",
        "    done",
        '    case "$cmd" in',
        '        "")',
    ]
    lines += _bash_body(Command(root.name, "", root.args, root.subcommands), " " * 12)
    lines.append("            ;;")
    for sub in root.subcommands:
        lines.append(f"        {sub.name})")
        lines += _bash_body(sub, " " * 12)
        lines.append("            ;;")
    lines += ["    esac", "}", f"complete -F {fn} {root.name}", ""]
    return "\n".join(lines)


# ------------------------------------------------------------------------------- zsh


def _zq(text: str) -> str:
    """Text inside an _arguments spec's [help] or a description: its specials escaped."""
    return re.sub(r"([\\\[\]:])", r"\\\1", text)


def _zsh_action(arg: Arg) -> str:
    if arg.files:
        return "_files"
    if arg.words:
        return "(" + " ".join(arg.words) + ")"
    return " "


def _zsh_specs(cmd: Command) -> list[str]:
    specs = []
    for a in cmd.args:
        if a.flags:
            for flag in a.flags:
                spec = f"{flag}[{_zq(a.help)}]"
                if a.takes_value:
                    spec += f":{_zq(a.metavar)}:{_zsh_action(a)}"
                specs.append(spec)
        else:
            lead = "*" if a.many else (":" if a.optional else "")
            specs.append(f"{lead}:{_zq(a.metavar)}:{_zsh_action(a)}")
    return specs


def zsh(root: Command) -> str:
    fn = f"_{_ident(root.name)}"
    lines = [
        f"#compdef {root.name}",
        f"# zsh completion for {root.name} (generated by `{root.name} completion zsh`)",
        f"{fn}() {{",
        "    local curcontext=$curcontext state line",
        "    local -a commands",
        "    commands=(",
    ]
    for sub in root.subcommands:
        # _describe splits at the first colon: only the name's own colons are escaped
        lines.append(f"        {_sq(sub.name.replace(':', chr(92) + ':') + ':' + sub.help)}")
    lines += ["    )", "    _arguments -C \\"]
    for spec in _zsh_specs(Command(root.name, "", root.args)):
        lines.append(f"        {_sq(spec)} \\")
    lines += [
        "        '1: :->command' \\",
        "        '*:: :->args'",
        "    case $state in",
        "        command) _describe -t commands 'command' commands ;;",
        "        args)",
        "            case $words[1] in",
    ]
    for sub in root.subcommands:
        specs = " ".join(_sq(s) for s in _zsh_specs(sub))
        lines.append(f"                {sub.name}) _arguments {specs} ;;")
    lines += [
        "            esac ;;",
        "    esac",
        "}",
        # autoloaded from $fpath: run; sourced (eval "$(... completion zsh)"): register
        'if [[ "${zsh_eval_context[-1]}" == loadautofunc ]]; then',
        f'    {fn} "$@"',
        "else",
        f"    compdef {fn} {root.name}",
        "fi",
        "",
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------------------ fish


def _fq(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_arg(prog: str, cond: str, a: Arg) -> list[str]:
    out = []
    if a.flags:
        parts = [f"complete -c {prog} -n {_fq(cond)}"]
        for flag in a.flags:
            if flag.startswith("--"):
                parts.append(f"-l {flag[2:]}")
            elif len(flag) == 2:
                parts.append(f"-s {flag[1]}")
            else:
                parts.append(f"-o {flag[1:]}")
        if a.takes_value:
            parts.append("-r" + (" -F" if a.files else ""))
            if a.words:
                parts.append(f"-x -a {_fq(' '.join(a.words))}")
        if a.help:
            parts.append(f"-d {_fq(a.help)}")
        out.append(" ".join(parts))
    elif a.files:
        out.append(f"complete -c {prog} -n {_fq(cond)} -F")
    elif a.words:
        out.append(f"complete -c {prog} -n {_fq(cond)} -a {_fq(' '.join(a.words))}")
    return out


def fish(root: Command) -> str:
    prog = root.name
    names = " ".join(s.name for s in root.subcommands)
    top = f"not __fish_seen_subcommand_from {names}"
    lines = [
        f"# fish completion for {prog} (generated by `{prog} completion fish`)",
        f"complete -c {prog} -f",  # no file names unless an argument takes a file
    ]
    for sub in root.subcommands:
        lines.append(f"complete -c {prog} -n {_fq(top)} -a {sub.name} -d {_fq(sub.help)}")
    for a in root.args:
        lines += _fish_arg(prog, top, a)
    for sub in root.subcommands:
        cond = f"__fish_seen_subcommand_from {sub.name}"
        for a in sub.args:
            lines += _fish_arg(prog, cond, a)
    lines.append("")
    return "\n".join(lines)
