// Broken: never finishes importing.
while (true) {
  // spin
}
