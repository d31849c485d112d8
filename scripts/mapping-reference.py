#!/usr/bin/python3
"""Writes the reference of every element and attribute of a mapping file into the integrator
guide, from the documentation annotations of mappings/mapping.xsd.

    scripts/mapping-reference.py            rewrite the section in docs/integrator-guide.md
    scripts/mapping-reference.py --check    exit 1 (and show the difference) if it is stale
    scripts/mapping-reference.py --print    print the section

The section lies between the BEGIN and END markers below; everything else in the guide is left
alone. Only the Python standard library is used (xml.etree).
"""

import argparse
import difflib
import pathlib
import sys
import xml.etree.ElementTree as ET

XS = "{http://www.w3.org/2001/XMLSchema}"
ROOT = pathlib.Path(__file__).resolve().parent.parent
BEGIN = ("<!-- BEGIN mapping reference: generated from mappings/mapping.xsd by "
         "scripts/mapping-reference.py; do not edit by hand -->")
END = "<!-- END mapping reference -->"

BUILTIN_TYPES = {
    "xs:string": "text",
    "xs:boolean": "true or false",
    "xs:int": "whole number",
    "xs:unsignedInt": "whole number, 0 or more",
}


def text_of(node):
    """The normalised documentation of an annotated node, or ""."""
    doc = node.find(f"{XS}annotation/{XS}documentation")
    if doc is None or doc.text is None:
        return ""
    return " ".join(doc.text.split())


def cell(text):
    """Text that is safe in a Markdown table cell."""
    return text.replace("|", "\\|")


class Schema:
    def __init__(self, path):
        self.root = ET.parse(path).getroot()
        self.complex_types = {t.get("name"): t for t in self.root.findall(f"{XS}complexType")}
        self.simple_types = {t.get("name"): t for t in self.root.findall(f"{XS}simpleType")}

    def describe_simple(self, type_name, inline=None):
        """What values an attribute takes, in words."""
        if inline is not None:
            listed = inline.find(f"{XS}list/{XS}simpleType/{XS}restriction")
            if listed is not None:
                values = [e.get("value") for e in listed.findall(f"{XS}enumeration")]
                return "a space-separated list of " + ", ".join(f"`{v}`" for v in values)
            restriction = inline.find(f"{XS}restriction")
            base = BUILTIN_TYPES.get(restriction.get("base"), restriction.get("base"))
            low = restriction.find(f"{XS}minInclusive")
            if low is not None:
                return f"whole number, at least {low.get('value')}"
            return base
        if type_name in BUILTIN_TYPES:
            return BUILTIN_TYPES[type_name]
        simple = self.simple_types.get(type_name)
        if simple is None:
            raise SystemExit(f"mapping.xsd: unknown type {type_name}")
        values = [e.get("value") for e in simple.findall(f"{XS}restriction/{XS}enumeration")]
        if values:
            return " or ".join(f"`{v}`" for v in values)
        doc = text_of(simple)
        if not doc:
            raise SystemExit(f"mapping.xsd: simple type {type_name} has no documentation")
        return doc

    def attributes(self, complex_type):
        """The attribute nodes of a complex type, including those of simple content."""
        found = list(complex_type.findall(f"{XS}attribute"))
        found += complex_type.findall(f"{XS}simpleContent/{XS}extension/{XS}attribute")
        return found

    def child_elements(self, complex_type):
        """(element node, min, max) of every child element, in order, each name once."""
        children, seen = [], set()

        def walk(group, optional):
            for node in group:
                if node.tag == f"{XS}element":
                    name = node.get("name")
                    if name in seen:
                        continue
                    seen.add(name)
                    low = "0" if optional else node.get("minOccurs", "1")
                    children.append((node, low, node.get("maxOccurs", "1")))
                elif node.tag in (f"{XS}sequence", f"{XS}choice"):
                    walk(node, optional or node.tag == f"{XS}choice")

        walk(complex_type, False)
        return children

    def type_of(self, element):
        inline = element.find(f"{XS}complexType")
        if inline is not None:
            return inline
        name = element.get("type")
        if name is None:
            return None
        return self.complex_types.get(name)


def occurs(low, high):
    if high == "unbounded":
        return "any number" if low == "0" else "one or more"
    return "optional" if low == "0" else "required"


def render(schema):
    out = []
    root = schema.root.find(f"{XS}element")

    def element_section(element, path, low, high):
        name = element.get("name")
        doc = text_of(element)
        if not doc:
            raise SystemExit(f"mapping.xsd: element {'/'.join(path)} has no documentation")
        depth = "###" if len(path) == 1 else "####"
        out.append(f"{depth} `<{name}>`")
        out.append("")
        where = " in `<" + path[-2] + ">`" if len(path) > 1 else ""
        out.append(f"*{occurs(low, high).capitalize()}{where}.* {doc}")
        out.append("")
        complex_type = schema.type_of(element)
        if complex_type is None:
            return
        children = schema.child_elements(complex_type)
        if complex_type.find(f"{XS}simpleContent") is not None:
            out.append("Content: text.")
            out.append("")
        if children:
            listed = ", ".join(f"`<{c.get('name')}>` ({occurs(lo, hi)})" for c, lo, hi in children)
            out.append(f"Contains, in this order: {listed}.")
            out.append("")
        attributes = schema.attributes(complex_type)
        if attributes:
            out.append("| attribute | values | use | meaning |")
            out.append("|---|---|---|---|")
            for attribute in attributes:
                attr_doc = text_of(attribute)
                attr_name = attribute.get("name")
                if not attr_doc:
                    raise SystemExit(f"mapping.xsd: attribute {name}/@{attr_name} has no "
                                     "documentation")
                values = schema.describe_simple(attribute.get("type"),
                                                attribute.find(f"{XS}simpleType"))
                if attribute.get("use") == "required":
                    use = "required"
                elif attribute.get("default") is not None:
                    use = f"default `{attribute.get('default')}`" if attribute.get("default") \
                        else "default empty"
                else:
                    use = "optional"
                out.append(f"| `{attr_name}` | {cell(values)} | {cell(use)} | {cell(attr_doc)} |")
            out.append("")
        for child, lo, hi in children:
            element_section(child, path + [child.get("name")], lo, hi)

    element_section(root, [root.get("name")], "1", "1")
    return "\n".join([BEGIN, ""] + out + [END])


def replace_section(guide_text, section):
    start = guide_text.find(BEGIN)
    end = guide_text.find(END)
    if start < 0 or end < start:
        raise SystemExit("docs/integrator-guide.md: the BEGIN and END markers of the mapping "
                         "reference are missing")
    return guide_text[:start] + section + guide_text[end + len(END):]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="fail if the guide is stale")
    mode.add_argument("--print", action="store_true", help="print the section")
    parser.add_argument("--xsd", default=str(ROOT / "mappings" / "mapping.xsd"))
    parser.add_argument("--guide", default=str(ROOT / "docs" / "integrator-guide.md"))
    args = parser.parse_args()

    section = render(Schema(args.xsd))
    if args.print:
        print(section)
        return 0
    guide = pathlib.Path(args.guide)
    current = guide.read_text(encoding="utf-8")
    wanted = replace_section(current, section)
    if args.check:
        if current == wanted:
            print(f"{guide.name}: the mapping reference is up to date")
            return 0
        sys.stdout.writelines(difflib.unified_diff(
            current.splitlines(keepends=True), wanted.splitlines(keepends=True),
            fromfile=f"{guide.name} (as it is)", tofile=f"{guide.name} (from mapping.xsd)"))
        print(f"\n{guide.name}: the mapping reference differs from mappings/mapping.xsd; run "
              "scripts/mapping-reference.py to regenerate it", file=sys.stderr)
        return 1
    if current != wanted:
        guide.write_text(wanted, encoding="utf-8")
        print(f"{guide.name}: mapping reference regenerated")
    else:
        print(f"{guide.name}: the mapping reference is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
