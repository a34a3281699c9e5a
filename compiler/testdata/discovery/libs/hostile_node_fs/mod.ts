// Hostile: reads a file outside its folder through node:fs at import time.
import { readFileSync } from "node:fs";
export const secret = readFileSync("/etc/passwd", "utf8");
