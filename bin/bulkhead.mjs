#!/usr/bin/env node
// The `bulkhead` command: host tooling written in TypeScript, run through tsx.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../host/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
