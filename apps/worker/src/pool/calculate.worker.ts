import { calculateActivities, type ActivityResult, type CalculationInput } from '@tally/core';

/** Runs in a piscina thread: pure calculation, no I/O. */
export default function calculate(input: CalculationInput): ActivityResult[] {
  return calculateActivities(input);
}
