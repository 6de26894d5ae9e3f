// Generates the TypeScript stubs for rectrack's API into src/gen with
// protoc-gen-es (from node_modules) and protoc (Debian's protobuf-compiler).
// The protos are read from RECTRACK_PROTO_DIR, by default ../../proto (this
// example inside the rectrack checkout).
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const protoDir = resolve(
  process.env.RECTRACK_PROTO_DIR ?? join(here, "..", "..", "proto"),
);
const out = join(here, "src", "gen");
const plugin = join(here, "node_modules", ".bin", "protoc-gen-es");
const files = readdirSync(join(protoDir, "rectrack", "v1"))
  .filter((name) => name.endsWith(".proto"))
  .map((name) => join("rectrack", "v1", name));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
try {
  execFileSync(
    "protoc",
    [
      `--proto_path=${protoDir}`,
      `--plugin=protoc-gen-es=${plugin}`,
      `--es_out=${out}`,
      "--es_opt=target=ts,import_extension=none",
      ...files,
    ],
    { cwd: protoDir, stdio: "inherit" },
  );
} catch (error) {
  console.error(
    `could not generate the stubs from ${protoDir}: is protoc installed ` +
      "(Debian package protobuf-compiler) and did npm install run here?",
  );
  process.exit(1);
}
console.log(`stubs for ${files.length} protos written to ${out}`);
