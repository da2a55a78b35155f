// No recursion, direct or through other functions: the hypervisor's stacks are fixed in size, so
// every call chain must be bounded. Found as a cycle in the call graph that the checker records
// (Checked.calls) once every body is checked.
import { type FuncInfo } from "../types.ts";
import { type Report } from "../diag.ts";

/** Reports each cycle of calls at the function where it closes, naming the chain. */
export function checkRecursion(funcs: FuncInfo[], calls: Map<FuncInfo, Set<FuncInfo>>, report: Report): void {
  const state = new Map<FuncInfo, 1 | 2>(); // 1: on the path being walked; 2: done
  const visit = (f: FuncInfo, stack: FuncInfo[]): void => {
    if (state.get(f) === 2) return;
    if (state.get(f) === 1) {
      const cycle = stack.slice(stack.indexOf(f)).map((x) => x.name).concat(f.name).join(" -> ");
      report(f.decl, `recursion (${cycle}) is not in the subset: the stack must be bounded; rewrite it as a loop`);
      return;
    }
    state.set(f, 1);
    for (const g of calls.get(f) ?? []) visit(g, [...stack, f]);
    state.set(f, 2);
  };
  for (const f of funcs) visit(f, []);
}
