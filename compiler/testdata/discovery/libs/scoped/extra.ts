// A subpath export; not a task module for discovery.
export const EXTRA = 1;
