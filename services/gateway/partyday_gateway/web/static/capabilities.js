// What the caller may do where, as GET /api/v1/me answers it: per capability, the subtrees where they hold it.
// The pages show a control where its capability reaches; the API still decides every call.

// Whether `me` holds `capability` over `node` (an organisation with its `path`), or anywhere without one.
export function can(me, capability, node) {
  const scopes = me.capabilities[capability] || [];
  return node ? scopes.some((scope) => node.path.startsWith(scope.org_path)) : scopes.length > 0;
}
