/** Collects clean-up steps (the `teardown` the test helpers expect) and runs them last-in, first-out. */
export function cleanupStack() {
  const steps: Array<() => unknown> = []
  return {
    teardown: (fn: () => unknown) => void steps.push(fn),
    run: async () => {
      for (const step of steps.reverse()) await Promise.resolve(step()).catch(() => {})
    },
  }
}
