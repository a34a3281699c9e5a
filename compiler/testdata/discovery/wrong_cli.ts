// A fake registry CLI that exits 0 with JSON of the wrong shape.
console.log(JSON.stringify({ version: "9.9.9", entries: { x: 1 } }));
