// A fake registry CLI that exits 0 but prints garbage.
console.log("this is not a registry output {");
