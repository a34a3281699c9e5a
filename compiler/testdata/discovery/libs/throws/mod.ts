// Broken: throws while being imported.
throw new Error("this library is broken at import");
