import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      NO_COLOR: '1',
    },
    testTimeout: 30_000,
    // The JSON report lets .ci/run print a plain "N passed, N failed" line that CI can read.
    reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
  },
});
