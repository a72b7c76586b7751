/** Evidence samples kept per finding (the JSON output carries them all; text shows fewer). */
export const MAX_EVIDENCE = 5;
/** Malformed lines kept as samples for the user to look at (all are counted). */
export const MAX_MALFORMED_SAMPLES = 5;
