// A fake registry CLI that reports the sandbox it runs in (as a task description).
const q = (d: Deno.PermissionDescriptor): string => {
  try {
    return Deno.permissions.querySync(d).state;
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
};
const args = [...Deno.args];
const packages: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--package") packages.push(args[++i] ?? "");
}
let cwdEntries: string[] | string;
try {
  cwdEntries = [...Deno.readDirSync(Deno.cwd())].map((e) => e.name);
} catch (e) {
  cwdEntries = `error: ${(e as Error).message}`;
}
const buf = new Uint8Array(16);
const stdinRead = Deno.stdin.readSync(buf);
const probe = {
  packages,
  write: q({ name: "write" }),
  net: q({ name: "net" }),
  env: q({ name: "env" }),
  run: q({ name: "run" }),
  ffi: q({ name: "ffi" }),
  sys: q({ name: "sys" }),
  import: q({ name: "import", host: "deno.land" }),
  readEtc: q({ name: "read", path: "/etc/hostname" }),
  readRoot: q({ name: "read", path: "/" }),
  cwdEntries,
  stdinRead,
};
console.log(JSON.stringify({
  version: "1.0.0",
  entries: {
    "probe.probe": {
      metadata: { description: JSON.stringify(probe), tags: [] },
      json_schema: { type: "object" },
      public_module_path: "probe",
      function_name: "probe",
    },
  },
}));
