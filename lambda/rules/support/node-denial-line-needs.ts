import type { ServerNeeds } from '../../model/rule';

/**
 * What the node rules read from the API server's own log (the `api` streams, kube-apiserver-<id>): the Node
 * authorizer's `"NODE DENY" err=...` lines and RBAC's `RBAC DENY: user "system:node:..."` lines, so that a cluster
 * logging `api` but not `audit` still shows node refusals. The readers turn them into NodeDenialRecords.
 *
 * Each line is distinct (klog time, object name), so rows are grouped by what the lines say, parsed server-side:
 * who was refused (the node, or the user for RBAC) and what kind of request (`get unknown pv`, `"get" resource
 * "nodes"`). Never by the object's name: a node credential can ask for a million names, not for a million kinds.
 * A row's earliest and latest line are read back in full (runtime/rows.ts); the count covers the rest.
 */
export const NODE_DENIAL_LINE_NEEDS: ServerNeeds = {
  stream: 'apiserver',
  filter: '@message like /NODE DENY/ or @message like /RBAC(: no rules authorize| DENY:) user .*("system:node:|"system:nodes")/',
  parse: [
    `@message /NODE DENY"?:? (err=")?(?<nodeDenyWho>(unknown )?node ['"][^'"]*['"]|unknown node for user "[^"]*"|['"][^'"]*['"])( cannot (?<nodeDenyWhat>\\S+ (unknown )?\\S+))?/`,
    '@message /RBAC(: no rules authorize| DENY:) user (?<rbacDenyUser>"[^"]*") (with )?groups \\[[^\\]]*\\] (cannot|to) (?<rbacDenyWhat>"[^"]*" (resource|nonResourceURL) "[^"]*")/',
  ],
  keys: ['@logStream', 'nodeDenyWho', 'nodeDenyWhat', 'rbacDenyUser', 'rbacDenyWhat'],
};
