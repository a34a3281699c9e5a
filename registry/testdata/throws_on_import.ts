// Fixture: a task module that throws while it is imported.
throw new Error("boom while importing the fixture");
