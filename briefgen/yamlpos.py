"""Read YAML into plain data plus the line/column of every node, safely and fast (libyaml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE_BYTES = 16 * 1024 * 1024  # a fact file larger than this is a mistake, not data
MAX_NODES = 2_000_000  # bounds work on hostile input even without aliases

Pos = tuple[int, int]  # 1-based line, column


@dataclass
class YamlDoc:
    """Plain data and where each part of it stands; `problems` are (pos, message, hint)."""

    data: object = None
    values: dict[tuple, Pos] = field(default_factory=dict)  # path -> position of the value
    keys: dict[tuple, Pos] = field(default_factory=dict)  # path -> position of its mapping key
    problems: list[tuple[Pos, str, str | None]] = field(default_factory=list)

    def pos(self, path: tuple, key: bool = False) -> Pos:
        """Position of a path, or of the nearest enclosing node that has one."""
        table = self.keys if key else self.values
        while path:
            if path in table:
                return table[path]
            path = path[:-1]
        return self.values.get((), (1, 1))


def load(path: Path) -> YamlDoc:
    """Parse one YAML file; every problem becomes a located entry of `problems`, never a raise."""
    import yaml

    doc = YamlDoc()
    raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        doc.problems.append(((1, 1), f"file is {len(raw):,} bytes, larger than the "
                             f"{MAX_FILE_BYTES:,} a fact file may have", "split it into smaller files"))
        return doc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        doc.problems.append(((line, col), f"not UTF-8 (byte 0x{raw[e.start]:02x})",
                             "save the file as UTF-8"))
        return doc
    text = text.removeprefix("\ufeff")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        pos = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        doc.problems.append((pos, f"YAML syntax: {e.problem or e.context}",
                             "check indentation, colons and quoting around this point"))
        return doc
    except yaml.YAMLError as e:  # e.g. a reader error on control characters
        doc.problems.append(((1, 1), f"YAML syntax: {e}", None))
        return doc
    if node is not None:
        walker = _Walker(doc)
        doc.data = walker.walk(node, ())
        if walker.aliased:
            alias = next(e for e in yaml.parse(text, Loader=loader) if isinstance(e, yaml.AliasEvent))
            pos = (alias.start_mark.line + 1, alias.start_mark.column + 1)
            doc.problems.append((pos, f"YAML alias *{alias.anchor} is not allowed in fact files",
                                 "write the value out in full"))
    return doc


class _Walker:
    """Turns composed nodes into plain values, recording positions and refusing aliases."""

    def __init__(self, doc: YamlDoc):
        self.doc = doc
        self.seen: set[int] = set()
        self.count = 0
        self.aliased = False
        from yaml.constructor import SafeConstructor
        self.constructor = SafeConstructor()

    def walk(self, node, path: tuple):
        import yaml

        self.count += 1
        pos = (node.start_mark.line + 1, node.start_mark.column + 1)
        self.doc.values[path] = pos
        if self.count > MAX_NODES:
            if self.count == MAX_NODES + 1:
                self.doc.problems.append((pos, f"more than {MAX_NODES:,} YAML nodes in one file",
                                          "split it into smaller files"))
            return None
        if id(node) in self.seen:
            self.aliased = True  # reported once, at the first alias: the node's mark is the anchor's
            return None
        self.seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, pos)
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(child, path + (i,)) for i, child in enumerate(node.value)]
        result: dict = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node, pos) if isinstance(key_node, yaml.ScalarNode) else None
            key_pos = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(key, str):
                self.doc.problems.append((key_pos, "mapping keys must be plain words", None))
                continue
            if key in result:
                first = self.doc.keys[path + (key,)]
                self.doc.problems.append((key_pos, f"duplicate key '{key}' (first at line {first[0]})",
                                          "remove one of them"))
                continue
            self.doc.keys[path + (key,)] = key_pos
            result[key] = self.walk(value_node, path + (key,))
        return result

    def scalar(self, node, pos: Pos):
        tag = node.tag
        if tag == "tag:yaml.org,2002:timestamp":
            return node.value  # dates stay text: facts use partial dates (YYYY, YYYY-MM)
        if tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:bool",
                   "tag:yaml.org,2002:null", "tag:yaml.org,2002:float"):
            return self.constructor.construct_object(node)
        self.doc.problems.append((pos, f"unsupported YAML tag {tag}", "remove the tag"))
        return None
