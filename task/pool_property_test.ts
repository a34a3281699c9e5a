import assert from "node:assert/strict";
import fc from "fast-check";
import { task } from "./mod.ts";

type Step = { kind: "sync" } | { kind: "async"; ticks: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ kind: "sync" }),
  fc.integer({ min: 0, max: 3 }).map((ticks): Step => ({
    kind: "async",
    ticks,
  })),
);

async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

Deno.test("property: map keeps input order and never exceeds the concurrency limit", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(step, { maxLength: 40 }),
      fc.integer({ min: 1, max: 8 }),
      async (steps, limit) => {
        let active = 0;
        let peak = 0;
        const t = task(({ i }: { i: number }) => {
          const s = steps[i] as Step;
          if (s.kind === "sync") return i * 2;
          active++;
          peak = Math.max(peak, active);
          return ticks(s.ticks).then(() => {
            active--;
            return i * 2;
          });
        });
        const input = steps.map((_, i) => i);
        const out = await t.map("i", input, { concurrency: limit });
        assert.deepEqual(out, input.map((i) => i * 2));
        assert.ok(peak <= limit, `peak ${peak} > limit ${limit}`);
        const keyed = await t.mapvalues(
          "i",
          input.map((i) => [`k${i}`, i]),
          { concurrency: limit },
        );
        assert.deepEqual(keyed, input.map((i) => [`k${i}`, i * 2]));
      },
    ),
    { numRuns: 150 },
  );
});

Deno.test("property: the first failure is reported and no call starts once the map has rejected", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(step, { minLength: 1, maxLength: 30 }),
      fc.integer({ min: 1, max: 6 }),
      fc.nat(),
      async (steps, limit, pick) => {
        const failAt = pick % steps.length;
        const started: number[] = [];
        let rejected = false;
        const startedAfterRejection: number[] = [];
        const t = task(({ i }: { i: number }) => {
          started.push(i);
          if (rejected) startedAfterRejection.push(i);
          const s = steps[i] as Step;
          const finish = () => {
            if (i === failAt) throw new Error(`fail ${i}`);
            return i;
          };
          return s.kind === "sync" ? finish() : ticks(s.ticks).then(finish);
        });
        const err = await t.map("i", steps.map((_, i) => i), {
          concurrency: limit,
        }).then(() => undefined, (e) => {
          rejected = true;
          return e as Error;
        });
        assert.equal(err?.message, `fail ${failAt}`);
        await ticks(10);
        assert.deepEqual(startedAfterRejection, []);
        assert.ok(started.includes(failAt));
      },
    ),
    { numRuns: 150 },
  );
});
