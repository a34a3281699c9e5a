import assert from "node:assert/strict";
import {
  type GcsReader,
  InvokerError,
  readResult,
  resultLocation,
} from "./mod.ts";

function code(c: string, pattern: RegExp) {
  return (e: unknown) =>
    e instanceof InvokerError && e.code === c && pattern.test(e.message);
}

Deno.test("resultLocation", () => {
  assert.deepEqual(resultLocation("file:///tmp/a/b/"), {
    kind: "file",
    path: "/tmp/a/b/result.json",
  });
  assert.deepEqual(resultLocation("gs://bkt"), {
    kind: "gcs",
    bucket: "bkt",
    object: "result.json",
  });
  assert.deepEqual(resultLocation("gs://bkt/a%20b/c/"), {
    kind: "gcs",
    bucket: "bkt",
    object: "a b/c/result.json",
  });
  assert.throws(
    () => resultLocation("s3://x/y"),
    code("invalid", /unsupported scheme s3:/),
  );
  assert.throws(
    () => resultLocation("not a url"),
    code("invalid", /is not a URL/),
  );
});

Deno.test("readResult from file://", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    await t.step("valid", async () => {
      await Deno.writeTextFile(
        `${dir}/result.json`,
        '{"result":{"x":[1]},"error":null,"trace":null}',
      );
      assert.deepEqual(await readResult(`file://${dir}`), {
        result: { x: [1] },
        error: null,
        trace: null,
      });
    });
    await t.step("missing", async () => {
      await assert.rejects(
        readResult(`file://${dir}/nope`),
        code("result", /no result\.json at .*nope\/result\.json/),
      );
    });
    await t.step("not JSON", async () => {
      await Deno.writeTextFile(`${dir}/result.json`, "{oops");
      await assert.rejects(
        readResult(`file://${dir}`),
        code("result", /not valid JSON/),
      );
    });
    await t.step("wrong shape", async () => {
      await Deno.writeTextFile(`${dir}/result.json`, '{"result":1,"error":5}');
      await assert.rejects(
        readResult(`file://${dir}`),
        code("result", /not a result .*error/),
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readResult from gs:// through a storage client", async () => {
  const objects = new Map([[
    "bkt/runs/1/result.json",
    '{"result":7,"error":null,"trace":null}',
  ]]);
  const storage: GcsReader = {
    bucket: (b) => ({
      file: (p) => ({
        download: () => {
          const text = objects.get(`${b}/${p}`);
          if (text === undefined) {
            return Promise.reject(
              Object.assign(new Error("No such object"), { code: 404 }),
            );
          }
          return Promise.resolve([new TextEncoder().encode(text)]);
        },
      }),
    }),
  };
  assert.equal((await readResult("gs://bkt/runs/1", { storage })).result, 7);
  await assert.rejects(
    readResult("gs://bkt/runs/2", { storage }),
    code("result", /no result\.json at gs:\/\/bkt\/runs\/2\/result\.json/),
  );
});

Deno.test("readResult from gs:// with the default @google-cloud/storage client", async () => {
  // A local stand-in for the Cloud Storage JSON API, reached through the client's
  // STORAGE_EMULATOR_HOST support (no credentials are used for an emulator).
  const requests: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => {
      const url = new URL(req.url);
      requests.push(`${req.method} ${url.pathname}${url.search}`);
      if (url.pathname === "/b/bkt/o/runs%2F1%2Fresult.json") {
        return new Response('{"result":"from gcs","error":null,"trace":null}');
      }
      return Response.json(
        { error: { code: 404, message: "No such object" } },
        {
          status: 404,
        },
      );
    },
  );
  const previous = Deno.env.get("STORAGE_EMULATOR_HOST");
  Deno.env.set("STORAGE_EMULATOR_HOST", `http://127.0.0.1:${server.addr.port}`);
  try {
    assert.equal((await readResult("gs://bkt/runs/1")).result, "from gcs");
    await assert.rejects(
      readResult("gs://bkt/runs/2/"),
      code("result", /no result\.json at gs:\/\/bkt\/runs\/2\/result\.json/),
    );
    assert.deepEqual(requests, [
      "GET /b/bkt/o/runs%2F1%2Fresult.json?alt=media",
      "GET /b/bkt/o/runs%2F2%2Fresult.json?alt=media",
    ]);
  } finally {
    if (previous === undefined) Deno.env.delete("STORAGE_EMULATOR_HOST");
    else Deno.env.set("STORAGE_EMULATOR_HOST", previous);
    await server.shutdown();
  }
});
