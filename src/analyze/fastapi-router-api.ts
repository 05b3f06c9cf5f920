/**
 * The one list of the FastAPI/Starlette calls the interpreter implements (interpret-modules.ts dispatches on
 * these names, and nothing else). Which function bodies are converted to statements follows from it: a body
 * is converted when it may make one of these calls, or hand its own arguments (a router, an app) to code
 * that does; never from what its parameters or the project's variables are called.
 */

/** `@router.get("/x")`: method decorators, one HTTP method each. */
export const HTTP_METHOD_DECORATORS = ['get', 'post', 'put', 'patch', 'delete', 'options', 'head', 'trace'] as const;

/** The other methods of an app or router the interpreter understands. */
export const ROUTER_METHODS = [
  'api_route',
  'route',
  'websocket',
  'websocket_route',
  'add_route',
  'add_api_route',
  'add_api_websocket_route',
  'add_websocket_route',
  'include_router',
  'mount',
  'on_event',
  'add_event_handler',
] as const;

/** Classes whose instances are apps or routers. */
export const ROUTER_CLASSES = ['FastAPI', 'APIRouter', 'Starlette'] as const;

export const HTTP_METHOD_SET: ReadonlySet<string> = new Set(HTTP_METHOD_DECORATORS);
export const ROUTER_METHOD_SET: ReadonlySet<string> = new Set([...HTTP_METHOD_DECORATORS, ...ROUTER_METHODS]);

/**
 * `@x.get(` (an HTTP method registers only as a decorator, or called with the handler: `x.get("/")(fn)`),
 * `.include_router(` and the other router methods, `FastAPI(`/`APIRouter(`.
 */
const ROUTER_CALL = new RegExp(
  `@\\s*[\\w.]+\\.(?:${HTTP_METHOD_DECORATORS.join('|')})\\s*\\(|\\.\\s*(?:${HTTP_METHOD_DECORATORS.join('|')})\\s*\\([^()]*\\)\\s*\\(|\\.\\s*(?:${ROUTER_METHODS.join('|')})\\s*\\(|\\b(?:${ROUTER_CLASSES.join('|')})\\s*\\(`,
);
const ROUTER_TYPE = new RegExp(`\\b(?:${ROUTER_CLASSES.join('|')})\\b`);

/** `f(x)`, `f(a, x)`, `f(key=x)`: a bare name passed as an argument. */
const PASSED_NAME = /[(,]\s*(?:\w+\s*=\s*)?([A-Za-z_]\w*)\s*(?=[,)])/g;
const RETURNED_NAME = /\breturn\s+([A-Za-z_]\w*)\s*$/gm;

/**
 * Whether a function body may register routes or build apps when called: it makes a call of the list
 * above, returns an app or router type, or passes one of `candidates` (its parameters that may hold an app
 * or router: unannotated or annotated with a router class, and the routers its module creates) to another
 * call or back to its caller (`def setup(srv): register(srv)`, `return r`).
 */
export function mayRunRouterCode(
  bodyText: string,
  candidates: ReadonlySet<string>,
  returns: string | undefined,
): boolean {
  if (ROUTER_CALL.test(bodyText)) return true;
  if (returns !== undefined && ROUTER_TYPE.test(returns)) return true;
  if (candidates.size === 0) return false;
  for (const pattern of [PASSED_NAME, RETURNED_NAME]) {
    pattern.lastIndex = 0;
    for (let match = pattern.exec(bodyText); match; match = pattern.exec(bodyText))
      if (candidates.has(match[1]!)) return true;
  }
  return false;
}

/**
 * A parameter annotation that may hold an app or router: none, one naming a router class, or `Any` as the
 * parameter's own type (`Any`, `Optional[Any]`, `Any | None`, `Annotated[Any, ...]`): a `List[Any]` or
 * `Dict[str, Any]` is a container, never the app itself.
 */
export function mayHoldRouter(annotationText: string | undefined): boolean {
  if (annotationText === undefined || ROUTER_TYPE.test(annotationText)) return true;
  return /\bAny\b/.test(annotationText) && outermostTypes(annotationText).some((type) => /^(?:\w+\.)?Any$/.test(type));
}

/** The types a value of this annotation may have at its top level: unions, Optional and Annotated unwrapped. */
function outermostTypes(annotation: string): string[] {
  const text = annotation
    .trim()
    .replace(/^(["'])(.*)\1$/s, '$2')
    .trim();
  const union = splitTopLevel(text, '|');
  if (union.length > 1) return union.flatMap(outermostTypes);
  const wrapped = /^(?:\w+\.)?(Optional|Union|Annotated)\s*\[(.*)\]$/s.exec(text);
  if (!wrapped) return [text];
  const inner = splitTopLevel(wrapped[2]!, ',');
  return (wrapped[1] === 'Annotated' ? inner.slice(0, 1) : inner).flatMap(outermostTypes);
}

function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '[' || char === '(') depth++;
    else if (char === ']' || char === ')') depth--;
    else if (char === separator && depth === 0) {
      parts.push(text.slice(from, i).trim());
      from = i + 1;
    }
  }
  parts.push(text.slice(from).trim());
  return parts;
}

/** Names a module binds to a new app or router at its top level (`router = APIRouter(...)`), from its text. */
export function moduleRouterNames(source: string): string[] {
  const pattern = new RegExp(
    `^([A-Za-z_]\\w*)\\s*(?::[^=\\n]*)?=\\s*(?:[\\w.]+\\.)?(?:${ROUTER_CLASSES.join('|')})\\s*\\(`,
    'gm',
  );
  return [...source.matchAll(pattern)].map((m) => m[1]!);
}
