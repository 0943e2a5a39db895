"""Will this packet arrive? One packet walked through every layer of a stack, offline.

    python -m tools.path STACK [--config FILE] --from SRC --to DST [--port PROTO/PORT] [--json]

SRC: `internet`, `onprem`, `NAMESPACE/APP`, or an IPv4 address (or CIDR) of the stack's networks
or beyond. DST: `NAMESPACE/APP`, `internet`, an IPv4 address or CIDR, `fqdn:NAME` or `apiserver`.
PROTO/PORT defaults to TCP/443.

Prints each hop (layer, resource, rule, action) and the verdict; `--json` prints
{"verdict", "hops": [{"layer", "resource", "rule", "action"}], "decidedBy": {"layer", "resource", "rule"}}.
Exit 0 for either verdict, 1 when the stack file is refused, 2 on a usage error. A stack whose
declared flows are denied is still walked: that is what this command is for.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from aksnet.analysis.path_report import parse_port, place_of
from aksnet.analysis.paths import Tracer, network_of
from aksnet.rules.path_rules import RULES as PATH_RULES
from tools.cli import run_cli
from tools.stackfile import StackRefused, load_stack_for_cli


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.path", description=__doc__.split("\n\n")[0])
    parser.add_argument("stack", help="the stack name: reads Pulumi.STACK.yaml")
    parser.add_argument("--config", metavar="FILE", help="read this stack file instead of Pulumi.STACK.yaml")
    parser.add_argument("--from", dest="source", required=True, metavar="SRC",
                        help="internet, onprem, NAMESPACE/APP, or an IPv4 address")
    parser.add_argument("--to", dest="destination", required=True, metavar="DST",
                        help="NAMESPACE/APP, internet, an IPv4 address or CIDR, fqdn:NAME, or apiserver")
    parser.add_argument("--port", default="TCP/443", metavar="PROTO/PORT", help="TCP/443 (default), UDP/53, ...")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)
    port = parse_port(args.port)
    if port is None:
        parser.error(f"--port {args.port}: expected PROTO/PORT such as TCP/443, with TCP, UDP or SCTP and 1-65535")
    try:
        _, loaded = load_stack_for_cli(args.stack, args.config, advisory=frozenset(r.id for r in PATH_RULES))
    except StackRefused as refused:
        return refused.code
    tracer = Tracer(network_of(loaded.spec, loaded.plan))
    source, destination = place_of(args.source, tracer), place_of(args.destination, tracer)
    for option, place in (("--from", source), ("--to", destination)):
        if isinstance(place, str):
            parser.error(f"{option} {place}")
    assert not isinstance(source, str) and not isinstance(destination, str)
    if source.kind == "apiserver" or source.fqdn is not None:
        parser.error(f"--from {args.source}: the API server and names are destinations only")
    path = tracer.trace(source, destination, *port)
    if args.json:
        json.dump(path.as_dict(), sys.stdout, indent=2)
        print()
        return 0
    print(f"{args.source} -> {args.destination} {port[0]}/{port[1]}")
    width = max((len(h.layer) for h in path.hops), default=0)
    for hop in path.hops:
        print(f"  {hop.layer:<{width}}  {hop.action:<9}  {hop.resource}: {hop.rule}")
    decided = path.decided_by
    how = f" by {decided.layer} ({decided.resource}: {decided.rule})" if decided is not None else ""
    print(f"{path.verdict}{how}")
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
