/**
 * Layers of lambda/, bottom up (docs/architecture.md "Layers"): imports point down only.
 *   model    records, findings, severity, the Rule contract, limits    -> nothing of the project
 *   readers  bytes to records                                          -> model
 *   rules    one file per rule, by stream, helpers in rules/support    -> model
 *   engine   rules over records, findings, incidents                   -> model, rules
 *   scan     files, directories, gzip, worker threads                  -> model, readers, rules, engine
 *   settings the one settings table (context, environment, flags)      -> model, rules
 *   report   text, JSON, email, HTML renderers: they decide nothing    -> model
 *   runtime  AWS clients, state, the Lambda handler                    -> everything above but cli
 *   cli      commands                                                  -> everything
 * lib/ (CDK) reads only settings and model; nothing in lambda/ imports lib/, bin/, test/, tools/ or bench/.
 */
const LAYERS = {
  model: [],
  readers: ['model'],
  rules: ['model'],
  engine: ['model', 'rules'],
  scan: ['model', 'readers', 'rules', 'engine'],
  settings: ['model', 'rules'],
  report: ['model'],
  runtime: ['model', 'readers', 'rules', 'engine', 'scan', 'settings', 'report'],
};
const ALL = ['model', 'readers', 'rules', 'engine', 'scan', 'settings', 'report', 'runtime', 'cli'];

const forbidden = Object.entries(LAYERS).map(([layer, allowed]) => {
  const denied = ALL.filter((l) => l !== layer && !allowed.includes(l));
  return {
    name: `${layer}-imports-${allowed.length ? allowed.join('-') : 'nothing'}`,
    severity: 'error',
    comment: `lambda/${layer} may import ${allowed.length ? allowed.map((l) => `lambda/${l}`).join(', ') : 'nothing of the project'}`,
    from: { path: `^lambda/${layer}/` },
    to: { path: `^lambda/(${denied.join('|')})/` },
  };
});

forbidden.push(
  {
    name: 'lambda-stays-runtime',
    severity: 'error',
    comment: 'runtime code never imports the CDK app, the tests, the tools or the benchmark',
    from: { path: '^lambda/' },
    to: { path: '^(lib|bin|test|tools|bench)/' },
  },
  {
    name: 'lib-reads-settings-and-model',
    severity: 'error',
    comment: 'the CDK app shares only the settings table and the model with the runtime',
    from: { path: '^(lib/|bin/app\.ts$)' },
    to: { path: '^lambda/(?!settings/|model/)' },
  },
  {
    name: 'runtime-without-cdk',
    severity: 'error',
    comment: 'aws-cdk-lib and constructs are optional peer dependencies: a CLI install has neither',
    from: { path: '^lambda/' },
    to: { path: '^(node_modules/)?(aws-cdk-lib|constructs|cdk-nag)(/|$)' },
  },
  {
    name: 'model-has-no-dependencies',
    severity: 'error',
    comment: 'the model is plain types and pure helpers: no npm packages',
    from: { path: '^lambda/model/' },
    to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
  },
  {
    name: 'not-to-unresolvable',
    severity: 'error',
    comment: 'an import that does not resolve is a typo or a missing dependency',
    from: {},
    to: { couldNotResolve: true },
  },
);

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
