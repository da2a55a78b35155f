// A class's C struct: its fields in declaration order at their natural alignment, an embedded
// object or array laid out in place (so a class may not contain itself), a reference as a pointer.
import { type ClassInfo, layoutOf } from "../types.ts";
import { type Report } from "../diag.ts";

/** Sets the offset of each field of cls and its size and alignment, laying out what it embeds first. */
export function layoutClass(cls: ClassInfo, visiting: Set<ClassInfo>, report: Report): void {
  if (cls.size || visiting.has(cls)) {
    if (visiting.has(cls)) report(cls.decl, `class ${cls.name} contains itself; hold a reference (a field assigned in the constructor) instead`);
    return;
  }
  visiting.add(cls);
  let off = 0;
  let align = 1;
  for (const f of cls.fields) {
    if (f.type.k === "void" || f.type.k === "string" || f.type.k === "never") {
      if (f.type.k === "string") report(f.decl, "string fields are not in the subset; strings are only for messages");
      continue;
    }
    if (f.embedded && f.type.k === "class") layoutClass(f.type.cls, visiting, report);
    if (f.type.k === "array" && f.type.elem.k === "class") layoutClass(f.type.elem.cls, visiting, report);
    const l = layoutOf(f.type, f.embedded);
    off = Math.ceil(off / l.align) * l.align;
    f.offset = off;
    off += l.size;
    align = Math.max(align, l.align);
  }
  cls.align = align;
  cls.size = Math.max(Math.ceil(off / align) * align, align);
  visiting.delete(cls);
}
