// Included by no unit: editing it keeps every summary.
