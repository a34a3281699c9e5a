// Broken: allocates without bound at import time.
const keep: string[][] = [];
while (true) keep.push(new Array(1_000_000).fill("x".repeat(16)));
