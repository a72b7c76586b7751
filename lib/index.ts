/** What users embedding the auditor in their own CDK app import. */
export { EksAuthzAuditor } from './eks-authz-auditor';
export type { EksAuthzAuditorProps, AuditorAlarms } from './eks-authz-auditor';
export { EksAuthzAuditStack } from './eks-authz-audit-stack';
export type { EksAuthzAuditStackProps } from './eks-authz-audit-stack';
export type { AuditedCluster } from './config';
export { ConfigError, DEFAULTS, LIMITS, defaultLogGroupName } from './config';
export { CONTEXT_KEYS, STACK_ID, parseContext, planStacks } from './context';
export type { AppSettings, StackPlan } from './context';
