"""The sim's file system: one tree per machine, seen from a process root.

Jails are chroots into this tree. Mounts cover a directory the way vnodes are
covered in FreeBSD: nullfs shows another directory's node (read-only when
mounted ``-o ro``), devfs shows the devices its ruleset leaves visible.
Symbolic links are resolved against the *process* root, so a jail's
``/bin -> /sharedfs/bin`` link lands inside the jail, as chroot(2) does."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import Callable, TypedDict

from .octets import encode, joined
from .errno import (EEXIST, EINVAL, EISDIR, ELOOP, ENOENT, ENOTDIR, ENOTEMPTY,
                    EPERM, EROFS, EBUSY, OSErr)

MAXSYMLINKS = 32  # sys/sys/param.h


class Where(TypedDict):
    """Where a process looks from: its root (a jail's chroot) and its cwd."""
    root: str
    cwd: str

# File flags (st_flags, sys/sys/stat.h): the user's and the super-user's.
UF_NODUMP = 0x00000001
UF_IMMUTABLE = 0x00000002
UF_APPEND = 0x00000004
UF_OPAQUE = 0x00000008
UF_NOUNLINK = 0x00000010
SF_ARCHIVED = 0x00010000
SF_IMMUTABLE = 0x00020000
SF_APPEND = 0x00040000
SF_NOUNLINK = 0x00100000
SF_SNAPSHOT = 0x00200000
SF_SETTABLE = 0xffff0000
IMMUTABLE = UF_IMMUTABLE | SF_IMMUTABLE
APPEND = UF_APPEND | SF_APPEND
NOUNLINK = UF_NOUNLINK | SF_NOUNLINK

# fflagstostr(3)/strtofflags(3) (lib/libc/gen/strtofflags.c): names, each
# flag's shortest first, in the order fflagstostr prints them; "nodump" is
# the one whose name sets its flag.
FLAG_NAMES = [("sappnd", SF_APPEND), ("sappend", SF_APPEND), ("arch", SF_ARCHIVED),
              ("archived", SF_ARCHIVED), ("schg", SF_IMMUTABLE), ("schange", SF_IMMUTABLE),
              ("simmutable", SF_IMMUTABLE), ("sunlnk", SF_NOUNLINK), ("sunlink", SF_NOUNLINK),
              ("snapshot", SF_SNAPSHOT), ("uappnd", UF_APPEND), ("uappend", UF_APPEND),
              ("uchg", UF_IMMUTABLE), ("uchange", UF_IMMUTABLE), ("uimmutable", UF_IMMUTABLE),
              ("nodump", UF_NODUMP), ("opaque", UF_OPAQUE), ("uunlnk", UF_NOUNLINK),
              ("uunlink", UF_NOUNLINK)]


def flags_to_str(flags: int) -> str:
    """fflagstostr(3): the set flags' names, comma-separated ("" for none)."""
    names = []
    for name, bit in FLAG_NAMES:
        if flags & bit:
            names.append(name)
            flags &= ~bit
    return ",".join(names)


def str_to_flags(text: str) -> tuple[int, int] | str:
    """strtofflags(3): (flags to set, flags to clear), or the bad word."""
    set_bits = clear_bits = 0
    for word in text.replace("\t", ",").replace(" ", ",").split(","):
        if not word:
            continue
        for name, bit in FLAG_NAMES:
            inverted = name == "nodump"
            if word == name:
                set_bits, clear_bits = (set_bits | bit, clear_bits)
                break
            if word == ("dump" if inverted else f"no{name}"):
                set_bits, clear_bits = (set_bits, clear_bits | bit)
                break
        else:
            return word
    return set_bits, clear_bits


# setmode(3)'s grammar (chmod(1), umask): octal digits, or clauses split by
# commas, each [ugoa]* then one or more [+-=] with [rwxXst]* or one of u g o
_MODE_CLAUSE = re.compile(r"([ugoa]*)((?:[-+=](?:[ugo]|[rwxXst]*))+)$")
_MODE_OP = re.compile(r"([-+=])([ugo]|[rwxXst]*)")
# each class's bits with its set-id bit; t (sticky) goes with any but o alone
_MODE_WHO = {"u": 0o5700, "g": 0o3070, "o": 0o0007, "a": 0o7777}
_MODE_PERMS = {"r": 0o444, "w": 0o222, "x": 0o111, "X": 0o111, "s": 0o6000, "t": 0o1000}


def setmode(text: str, mode: int, directory: bool, umask: int) -> int | None:
    """setmode(3) then getmode(3): the mode ``text`` makes of ``mode``; None
    when it is no mode. A clause without u, g, o or a acts on the bits the
    umask leaves; = first clears the class (all but the sticky bit without
    one: STANDARD_BITS); X is x for a directory or a mode with some x."""
    if text and all(c in "01234567" for c in text):
        value = int(text, 8)
        return value if value <= 0o7777 else None
    for clause in text.split(","):
        match = _MODE_CLAUSE.match(clause)
        if match is None:
            return None
        who = 0
        for letter in match.group(1):
            who |= _MODE_WHO[letter]
        for op, perms in _MODE_OP.findall(match.group(2)):
            if perms in ("u", "g", "o"):     # the bits another class has
                bits = ((mode >> {"u": 6, "g": 3, "o": 0}[perms]) & 7) * 0o111
            else:
                bits = 0
                for perm in perms:
                    if perm != "X" or directory or mode & 0o111:
                        bits |= _MODE_PERMS[perm]
            bits &= who or 0o7777 & ~umask
            if op == "=":
                mode &= ~(who & ~0o1000) if who else ~0o6777
            mode = mode & ~bits if op == "-" else mode | bits
    return mode


def strmode(node: "Node") -> str:
    """strmode(3): the type, rwx with setuid/setgid/sticky, and the space
    left for ls's ACL mark."""
    kind = {Dir: "d", Symlink: "l", Device: "c"}.get(type(node), "-")
    mode = node.mode
    chars = [c if mode & (1 << (8 - i)) else "-" for i, c in enumerate("rwxrwxrwx")]
    for index, bit, on_x, on_plain in ((2, 0o4000, "s", "S"), (5, 0o2000, "s", "S"),
                                       (8, 0o1000, "t", "T")):
        if mode & bit:
            chars[index] = on_x if chars[index] == "x" else on_plain
    return kind + "".join(chars) + " "


def nlink(node: "Node") -> int:
    """st_nlink: a directory's "." and its subdirectories' ".."."""
    if isinstance(node, Dir):
        return 2 + sum(isinstance(child, Dir) for child in node.entries.values())
    return 1


def st_size(node: "Node") -> int:
    """st_size: a file's bytes, a link's target length, a UFS directory's block."""
    if isinstance(node, File):
        return len(encode(node.data))
    if isinstance(node, Symlink):
        return len(node.target)
    return 512 if isinstance(node, Dir) else 0


class Node:
    __slots__ = ("mode", "flags")

    def __init__(self, mode: int) -> None:
        self.mode = mode
        self.flags = 0      # st_flags (chflags(2))


class Dir(Node):
    __slots__ = ("entries",)

    def __init__(self, mode: int = 0o755) -> None:
        super().__init__(mode)
        self.entries: dict[str, Node] = {}


class File(Node):
    """A regular file. ``program`` names a modelled program (a sim command)
    when the file is an executable of the installed world; such files hold a
    short text so that reading them still works."""

    __slots__ = ("data", "program")

    def __init__(self, data: str = "", mode: int = 0o644, program: str | None = None) -> None:
        super().__init__(mode)
        self.data = data
        self.program = program


class Symlink(Node):
    __slots__ = ("target",)

    def __init__(self, target: str) -> None:
        super().__init__(0o755)
        self.target = target


class Device(Node):
    __slots__ = ("name",)

    def __init__(self, name: str, mode: int = 0o666) -> None:
        super().__init__(mode)
        self.name = name


@dataclass
class Mount:
    fstype: str
    source: str
    mountpoint: str
    root: Dir
    covered: Dir
    readonly: bool = False
    ruleset: int = 0          # devfs(8) ruleset applied to this mount
    jailed_by: int = 0        # jid of the jail that mounted it (0: the host)
    extra: tuple[str, ...] = ()   # further flags mount(8) lists (soft-updates ...)

    def flags_text(self) -> str:
        """The "(type, flags)" part of mount(8)'s listing."""
        flags = [self.fstype]
        if self.fstype in ("nullfs", "ufs", "zfs", "tmpfs"):
            flags.append("local")
        if self.readonly:
            flags.append("read-only")
        return ", ".join(flags + list(self.extra))


@dataclass
class Resolved:
    """The outcome of a path lookup: the node (None when only the parent
    exists), its absolute path on the host, and the mount it lives in."""

    node: Node | None
    path: str
    parent: Dir | None
    name: str
    mount: Mount | None = None
    stack: list[tuple[str, Node, Mount | None]] = field(default_factory=list)

    @property
    def readonly(self) -> bool:
        return self.mount is not None and self.mount.readonly


@dataclass
class Slot:
    """A name in a writable directory that a change is about to fill: the
    directory, the name, and the node there now (None when it is free)."""

    parent: Dir
    name: str
    node: Node | None


class Absent:
    """What a plain lookup finds where a name is missing (ENOENT), said
    without raising: a PATH search or a pattern's literal part misses far
    more often than it finds, and an exception per miss is most of a miss."""


ABSENT = Absent()


def split(path: str) -> list[str]:
    return [part for part in path.split("/") if part not in ("", ".")]


def join(*parts: str) -> str:
    out: list[str] = []
    for part in parts:
        if part.startswith("/"):
            out = []
        out.extend(split(part))
    return "/" + "/".join(out)


class Vfs:
    def __init__(self, root: Dir | None = None) -> None:
        self.root = root if root is not None else Dir()   # the disk, kept across reboots
        self.mounts: list[Mount] = []     # in mount order, as mount(8) lists them
        # The mount each covered directory shows: the most recent mount on
        # it, as the vnode's v_mountedhere is. A lookup asks this for every
        # path component, so it is a dict, not a scan of the mount list.
        self._covers: dict[Node, Mount] = {}

    # -- lookup -------------------------------------------------------------
    def _covering(self, node: Node) -> Mount | None:
        return self._covers.get(node)

    def resolve(self, path: str, *, root: str = "/", cwd: str = "/", follow: bool = True) -> Resolved:
        """Look ``path`` up as a process whose root is ``root`` (a host path)
        and whose working directory is ``cwd`` (a path inside that root)."""
        if path == "":
            raise OSErr(ENOENT)
        if root == "/" and path.startswith("/"):
            plain = self._plain_resolve(path, follow)
            if plain is not None:
                return plain
        # The host's root and cwd "/" are the common case: nothing to walk.
        root_stack = [] if root == "/" else self._walk(
            [], split(root), floor=0, follow=True, hops=[0]).stack
        start = root_stack if path.startswith("/") or cwd == "/" else self._walk(
            list(root_stack), split(cwd), floor=len(root_stack), follow=True, hops=[0]).stack
        return self._walk(list(start), split(path), floor=len(root_stack), follow=follow,
                          hops=[0], root_stack=root_stack)

    def _plain_resolve(self, path: str, follow: bool) -> Resolved | None:
        """resolve() of an absolute host path made only of names, with no
        link on the way (one at the end is taken as it is without
        ``follow``): the Resolved _walk() makes, in one pass without its
        link and ".." handling. Every file cp -R writes and rm -r removes
        comes through here. None when the path is not that plain (or is
        "/"): _walk() decides."""
        parts = split(path)
        node: Node = self._top()
        mount = self._top_mount()
        parent = node
        stack: list[tuple[str, Node, Mount | None]] = []
        covers = self._covers
        last = len(parts) - 1
        for index, name in enumerate(parts):
            if name == ".." or not isinstance(node, Dir):
                return None
            child = node.entries.get(name)
            if child is None:
                if index != last:
                    raise OSErr(ENOENT)
                return Resolved(None, "/" + "/".join(parts), node, name, mount, stack)
            if isinstance(child, Symlink) and (index != last or follow):
                return None
            parent = node
            covering = covers.get(child)
            if covering is not None:
                node, mount = covering.root, covering
            else:
                node = child
            stack.append((name, node, mount))
        if not stack:
            return None
        return Resolved(node, "/" + "/".join(parts), parent if isinstance(parent, Dir) else None,
                        parts[-1], mount, stack)

    def _walk(self, stack: list[tuple[str, Node, Mount | None]], parts: list[str], *, floor: int,
              follow: bool, hops: list[int], root_stack: list[tuple[str, Node, Mount | None]] | None = None) -> Resolved:
        root_stack = root_stack if root_stack is not None else stack[:floor]
        # the components still to walk, the next one last (pop() is cheap;
        # every command's PATH search and redirection comes through here)
        pending = parts[::-1]
        covers = self._covers
        while pending:
            name = pending.pop()
            if stack:
                _, current, mount = stack[-1]
            else:
                current, mount = self._top(), self._top_mount()
            if name == "..":
                if len(stack) > floor:
                    stack.pop()
                continue
            if not isinstance(current, Dir):
                raise OSErr(ENOTDIR)
            child = current.entries.get(name)
            if child is None:
                if pending:
                    raise OSErr(ENOENT)
                return Resolved(None, self._path(stack, name), current, name, mount, stack)
            if isinstance(child, Symlink) and (pending or follow):
                hops[0] += 1
                if hops[0] > MAXSYMLINKS:
                    raise OSErr(ELOOP)
                if child.target.startswith("/"):
                    stack[:] = list(root_stack)
                pending.extend(reversed(split(child.target)))
                continue
            # only a directory is ever covered (_covers' keys)
            covering = covers.get(child)
            if covering is not None:
                stack.append((name, covering.root, covering))
            else:
                stack.append((name, child, mount))
        if not stack:
            return Resolved(self._top(), "/", None, "", self._top_mount(), stack)
        name, node, mount = stack[-1]
        parent = stack[-2][1] if len(stack) > 1 else self._top()
        return Resolved(node, self._path(stack), parent if isinstance(parent, Dir) else None,
                        name, mount, stack)

    def _top(self) -> Dir:
        mount = self._covering(self.root)
        return mount.root if mount else self.root

    def _top_mount(self) -> Mount | None:
        return self._covering(self.root)

    @staticmethod
    def _path(stack: list[tuple[str, Node, Mount | None]], extra: str | None = None) -> str:
        names = [name for name, _, _ in stack]
        if extra is not None:
            names.append(extra)
        return "/" + "/".join(names)

    # -- queries ------------------------------------------------------------
    def lookup(self, path: str, *, root: str = "/", cwd: str = "/", follow: bool = True) -> Node:
        if root == "/" and path.startswith("/"):
            node = self._plain_lookup(path)
            if isinstance(node, Node):
                return node
            if node is ABSENT:
                raise OSErr(ENOENT)
        found = self.resolve(path, root=root, cwd=cwd, follow=follow)
        if found.node is None:
            raise OSErr(ENOENT)
        return found.node

    def _plain_lookup(self, path: str) -> Node | Absent | None:
        """The node at an absolute host path made only of names (no link,
        no ".." on the way): the walk resolve() makes, without what only
        it needs. Most lookups are such (a PATH search, /dev/null). ABSENT
        where a name is missing (resolve() would raise ENOENT); None when
        the path is not that plain: resolve() then decides."""
        covers = self._covers
        node: Node = self.root
        covering = covers.get(node)
        if covering is not None:
            node = covering.root
        for name in path.split("/"):
            if not name or name == ".":
                continue
            # (exact types: nothing derives from Dir or Symlink, and an
            # exact check is cheaper than isinstance on this path)
            if name == ".." or type(node) is not Dir:
                return None
            child = node.entries.get(name)
            if child is None:
                return ABSENT       # as resolve() finds it: nothing there
            if type(child) is Dir:
                # only a directory is ever covered (_covers' keys)
                covering = covers.get(child)
                node = covering.root if covering is not None else child
            elif type(child) is Symlink:
                return None
            else:
                node = child
        return node

    def child(self, directory: Dir, name: str) -> Node | None:
        """The node ``name`` in ``directory`` as a lookup that does not
        follow links finds it: a covered directory shows its mount's root."""
        node = directory.entries.get(name)
        mount = self._covers.get(node) if isinstance(node, Dir) else None
        return mount.root if mount is not None else node

    def exists(self, path: str, *, root: str = "/", cwd: str = "/") -> bool:
        return self.find(path, root=root, cwd=cwd) is not None

    def find(self, path: str, *, root: str = "/", cwd: str = "/") -> Node | None:
        """lookup(), None where it fails (for a search that goes on)."""
        if root == "/" and path.startswith("/"):
            node = self._plain_lookup(path)
            if isinstance(node, Node):
                return node
            if node is ABSENT:
                return None
        try:
            return self.lookup(path, root=root, cwd=cwd)
        except OSErr:
            return None

    def read(self, path: str, *, root: str = "/", cwd: str = "/") -> str:
        node = self.lookup(path, root=root, cwd=cwd)
        if isinstance(node, Dir):
            raise OSErr(EISDIR)
        if isinstance(node, Device):
            return ""
        assert isinstance(node, File)
        return node.data

    def listdir(self, path: str, *, root: str = "/", cwd: str = "/") -> list[str]:
        node = self.lookup(path, root=root, cwd=cwd)
        if not isinstance(node, Dir):
            raise OSErr(ENOTDIR)
        return sorted(node.entries)

    def glob(self, pattern: str, *, root: str = "/", cwd: str = "/") -> list[str]:
        """Pathname expansion as sh(1) does it: sorted matches, hidden files
        only when the pattern component starts with a dot."""
        # each match so far, with its node when a lookup found it already
        # (the directory the next pattern component lists)
        results: list[tuple[str, Node | None]] = [("/" if pattern.startswith("/") else "", None)]
        steps = _glob_steps(pattern)
        last_step = len(steps) - 1
        for index, (part, matcher, hidden) in enumerate(steps):
            found: list[tuple[str, Node | None]] = []
            for prefix, node in results:
                head = prefix.rstrip("/")
                if matcher is None:
                    # A run of literal components is one lookup: the walk
                    # to its end passes each of them as a check of its own would.
                    candidate = f"{head}/{part}" if prefix else part
                    node = self.find(candidate, root=root, cwd=cwd)
                    # a link to nowhere matches as the last component
                    # only: nothing is listed through it
                    if node is not None or index == last_step and self._is_link(candidate, root, cwd):
                        found.append((candidate, node))
                    continue
                if node is None:
                    node = self.find(prefix or ".", root=root, cwd=cwd)
                if not isinstance(node, Dir):
                    continue
                # the matching names first (filter runs the compiled
                # pattern over the directory at C speed); sorted at the end
                names = filter(matcher, node.entries)
                if prefix:
                    found += [(f"{head}/{name}", None) for name in names
                              if hidden or name[:1] != "."]
                else:
                    found += [(name, None) for name in names if hidden or name[:1] != "."]
            results = found
        paths = sorted(map(itemgetter(0), results))
        if pattern.endswith("/") and _PATTERN_CHARS.search(pattern):
            # bin/sh expand.c expmeta(): a pattern ending in a slash matches
            # directories only (a link to one too), and the slash stays
            paths = [f"{path}/" for path in paths
                     if isinstance(self.find(path, root=root, cwd=cwd), Dir)]
        return paths

    def _is_link(self, path: str, root: str, cwd: str) -> bool:
        try:
            return isinstance(self.lookup(path, root=root, cwd=cwd, follow=False), Symlink)
        except OSErr:
            return False

    def entry(self, held: Resolved, name: str) -> Resolved:
        """``name`` in the directory ``held`` as resolve() of held's path and
        ``name`` without following a link at the end finds it, from the node
        held: a tree walk (rm -r, cp -R, chflags -R) looks each entry up
        once, not again by its whole path. A covered directory shows its
        mount's root, as fts(3) crosses a mount point (without -x)."""
        directory = held.node
        if not isinstance(directory, Dir):
            raise OSErr(ENOTDIR)
        path = f"{held.path.rstrip('/')}/{name}"
        child = directory.entries.get(name)
        if child is None:
            return Resolved(None, path, directory, name, held.mount)
        covering = self._covers.get(child)
        if covering is not None:
            return Resolved(covering.root, path, directory, name, covering)
        return Resolved(child, path, directory, name, held.mount)

    # -- changes ------------------------------------------------------------
    # Each change of a path resolves it, then makes the change on what it
    # found (the *_at methods: a walk hands them the entries it holds).
    def _writable_slot(self, path: str, root: str, cwd: str) -> Slot:
        return self._slot(self.resolve(path, follow=False, root=root, cwd=cwd))

    @staticmethod
    def _slot(found: Resolved) -> Slot:
        """The place a new node goes, found without following a link there.
        A path of no component ("/") names a directory to create nothing
        in: EISDIR (kern/vfs_lookup.c lookup(), a degenerate name)."""
        if found.parent is None:
            raise OSErr(EISDIR if found.node is not None else ENOENT)
        if found.readonly:
            raise OSErr(EROFS)
        return Slot(found.parent, found.name, found.node)

    def write(self, path: str, data: str, *, append: bool = False, mode: int = 0o644, root: str = "/", cwd: str = "/") -> Node:
        return self.write_at(self.resolve(path, root=root, cwd=cwd), data, append=append, mode=mode)

    @staticmethod
    def write_at(found: Resolved, data: str, *, append: bool = False, mode: int = 0o644) -> Node:
        """write() of what a lookup that follows links found."""
        node = found.node
        if isinstance(node, Device):
            return node
        if isinstance(node, Dir):
            raise OSErr(EISDIR)
        if found.parent is None:
            raise OSErr(ENOENT)
        if found.readonly:
            raise OSErr(EROFS)
        if node is None:
            _may_add(found.parent)
        elif node.flags & IMMUTABLE or (node.flags & APPEND and not append):
            raise OSErr(EPERM)   # ufs_open/ufs_write: immutable, or append-only
        if isinstance(node, File):
            node.data = joined(node.data, data) if append else data
            node.program = None  # a rewritten executable is no longer the modelled program
            return node
        new = File(data, mode)
        found.parent.entries[found.name] = new
        return new

    def mkdir(self, path: str, *, parents: bool = False, mode: int = 0o755, root: str = "/", cwd: str = "/") -> None:
        if parents:
            prefix = "/" if path.startswith("/") else ""
            for i, _ in enumerate(split(path)):
                partial = prefix + "/".join(split(path)[: i + 1])
                found = self.resolve(partial, root=root, cwd=cwd)
                if found.node is None:
                    self.mkdir(partial, mode=mode, root=root, cwd=cwd)
                elif not isinstance(found.node, Dir):
                    raise OSErr(EEXIST if i == len(split(path)) - 1 else ENOTDIR)
            return
        self.mkdir_at(self.resolve(path, follow=False, root=root, cwd=cwd), mode=mode)

    def mkdir_at(self, found: Resolved, *, mode: int = 0o755) -> None:
        """mkdir() of what a lookup that does not follow a link found."""
        slot = self._slot(found)
        if slot.node is not None:
            raise OSErr(EEXIST)
        _may_add(slot.parent)
        slot.parent.entries[slot.name] = Dir(mode)

    def symlink(self, target: str, path: str, *, root: str = "/", cwd: str = "/") -> None:
        slot = self._writable_slot(path, root, cwd)
        if slot.node is not None:
            raise OSErr(EEXIST)
        _may_add(slot.parent)
        slot.parent.entries[slot.name] = Symlink(target)

    def place(self, path: str, node: Node, *, root: str = "/", cwd: str = "/") -> None:
        """Put an existing node (a copy) at ``path``, replacing a file there."""
        self.place_at(self.resolve(path, follow=False, root=root, cwd=cwd), node)

    def place_at(self, found: Resolved, node: Node) -> None:
        """place() where a lookup that does not follow a link found."""
        slot = self._slot(found)
        if isinstance(slot.node, Dir) and not isinstance(node, Dir):
            raise OSErr(EISDIR)
        if slot.node is not None:
            _may_remove(slot.parent, slot.node)
        else:
            _may_add(slot.parent)
        slot.parent.entries[slot.name] = node

    def unlink(self, path: str, *, root: str = "/", cwd: str = "/") -> None:
        self.unlink_at(self.resolve(path, follow=False, root=root, cwd=cwd))

    @staticmethod
    def unlink_at(found: Resolved) -> None:
        """unlink() of what a lookup that does not follow a link found."""
        if found.node is None:
            raise OSErr(ENOENT)
        if isinstance(found.node, Dir):
            raise OSErr(EISDIR if found.name else EINVAL)
        if found.readonly or found.parent is None:
            raise OSErr(EROFS)
        _may_remove(found.parent, found.node)
        del found.parent.entries[found.name]

    def rmdir(self, path: str, *, root: str = "/", cwd: str = "/") -> None:
        self.rmdir_at(self.resolve(path, follow=False, root=root, cwd=cwd))

    def rmdir_at(self, found: Resolved) -> None:
        """rmdir() of what a lookup that does not follow a link found."""
        if found.node is None:
            raise OSErr(ENOENT)
        if not isinstance(found.node, Dir):
            raise OSErr(ENOTDIR)
        # a mount point is busy before it is anything else, empty or not
        # (vfs_syscalls.c kern_frmdirat: VV_ROOT before VOP_RMDIR's ENOTEMPTY)
        if self.is_mountpoint(found):
            raise OSErr(EBUSY)
        if found.node.entries:
            raise OSErr(ENOTEMPTY)
        if found.readonly or found.parent is None:
            raise OSErr(EROFS)
        _may_remove(found.parent, found.node)
        del found.parent.entries[found.name]

    def is_mountpoint(self, found: Resolved) -> bool:
        return any(m.mountpoint == found.path for m in self.mounts)

    def rename(self, old: str, new: str, *, root: str = "/", cwd: str = "/") -> None:
        src = self.resolve(old, follow=False, root=root, cwd=cwd)
        if src.node is None or src.parent is None:
            raise OSErr(ENOENT)
        dst = self._writable_slot(new, root, cwd)
        if isinstance(dst.node, Dir):
            dst = self._writable_slot(join(new, src.name), root, cwd)
        if src.readonly:
            raise OSErr(EROFS)
        _may_remove(src.parent, src.node)
        if dst.node is not None:
            _may_remove(dst.parent, dst.node)
        else:
            _may_add(dst.parent)
        dst.parent.entries[dst.name] = src.node
        del src.parent.entries[src.name]

    def chmod(self, path: str, mode: int, *, follow: bool = True, root: str = "/", cwd: str = "/") -> None:
        """chmod(2): EPERM on an immutable or append-only file (ufs_setattr)."""
        found = self.resolve(path, follow=follow, root=root, cwd=cwd)
        if found.node is None:
            raise OSErr(ENOENT)
        if found.readonly:
            raise OSErr(EROFS)
        if found.node.flags & (IMMUTABLE | APPEND):
            raise OSErr(EPERM)
        found.node.mode = mode

    def chflags(self, path: str, flags: int, *, follow: bool = True, sysflags: bool = True,
                root: str = "/", cwd: str = "/") -> None:
        """chflags(2) as ufs_setattr decides it: with ``sysflags`` (root
        outside a jail, securelevel <= 0) any flag; without it the
        super-user's flags can neither change nor be present."""
        self.chflags_at(self.resolve(path, follow=follow, root=root, cwd=cwd), flags,
                        sysflags=sysflags)

    @staticmethod
    def chflags_at(found: Resolved, flags: int, *, sysflags: bool = True) -> None:
        """chflags() of what a lookup found."""
        node = found.node
        if node is None:
            raise OSErr(ENOENT)
        if found.readonly:
            raise OSErr(EROFS)
        if not sysflags and (node.flags & (SF_NOUNLINK | SF_IMMUTABLE | SF_APPEND)
                             or (flags ^ node.flags) & SF_SETTABLE):
            raise OSErr(EPERM)
        node.flags = flags

    # -- mounts -------------------------------------------------------------
    def mount(self, mount: Mount) -> None:
        self.mounts.append(mount)
        self._covers[mount.covered] = mount

    def unmount(self, mountpoint: str) -> Mount:
        for mount in reversed(self.mounts):
            if mount.mountpoint == mountpoint:
                self.mounts.remove(mount)
                self._uncover(mount.covered)
                return mount
        raise OSErr(EINVAL)

    def _uncover(self, node: Node) -> None:
        """The directory shows the mount below the one just taken off, or itself."""
        below = [m for m in self.mounts if m.covered is node]
        if below:
            self._covers[node] = below[-1]
        else:
            self._covers.pop(node, None)

    def mounts_under(self, path: str) -> list[Mount]:
        prefix = path.rstrip("/") + "/"
        return [m for m in self.mounts if m.mountpoint.startswith(prefix) or m.mountpoint == path]



# the characters that make a path component a pattern (sh(1) "Pathname Expansion")
_PATTERN_CHARS = re.compile(r"[*?[]")


@lru_cache(maxsize=512)
def _matcher(pattern: str) -> Callable[[str], object]:
    """fnmatch.fnmatchcase(name, pattern) as one compiled match, made
    once for all the names of a directory."""
    return re.compile(fnmatch.translate(pattern)).match


@lru_cache(maxsize=512)
def _glob_steps(pattern: str) -> tuple[tuple[str, Callable[[str], object] | None, bool], ...]:
    """A pattern as glob() walks it, worked out once per pattern (a journal
    expands the same ones at every look): each run of literal components
    with no matcher, each pattern component with its matcher and whether
    it matches hidden names (it starts with a dot)."""
    return tuple((part, _matcher(part), part.startswith(".")) if _PATTERN_CHARS.search(part)
                 else (part, None, False) for part in _literal_runs(split(pattern)))


def _literal_runs(parts: list[str]) -> list[str]:
    """A pattern's components, each run of components without a pattern
    character joined into one ("usr/local/etc", "*", "rc.conf")."""
    out: list[str] = []
    literal = False
    for part in parts:
        plain = not _PATTERN_CHARS.search(part)
        if plain and literal:
            out[-1] += "/" + part
        else:
            out.append(part)
        literal = plain
    return out


def _may_remove(parent: Dir, node: Node) -> None:
    """ufs_remove/ufs_rename/ufs_rmdir: a file that is immutable, append-only
    or undeletable stays, and so does anything in an immutable or
    append-only directory."""
    if node.flags & (IMMUTABLE | APPEND | NOUNLINK) or parent.flags & (IMMUTABLE | APPEND):
        raise OSErr(EPERM)


def _may_add(parent: Dir) -> None:
    """ufs_makeinode/ufs_link: nothing new in an immutable directory."""
    if parent.flags & IMMUTABLE:
        raise OSErr(EPERM)
