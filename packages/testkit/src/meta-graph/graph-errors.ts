/**
 * Graph API errors as Meta answers them: the HTTP status Meta uses with each code and its
 * usual wording (Cloud API "Error codes" reference). Unknown codes answer 400.
 */
export interface GraphErrorSpec {
  status: number;
  type: string;
  message: string;
  subcode?: number;
}

export const GRAPH_ERRORS: Readonly<Record<number, GraphErrorSpec>> = {
  1: { status: 500, type: 'OAuthException', message: 'An unknown error occurred' },
  2: { status: 503, type: 'OAuthException', message: 'Service temporarily unavailable' },
  4: { status: 400, type: 'OAuthException', message: '(#4) Application request limit reached' },
  190: {
    status: 401,
    type: 'OAuthException',
    message: 'Error validating access token: Session has expired',
    subcode: 463,
  },
  368: { status: 400, type: 'OAuthException', message: 'Temporarily blocked for policies violations' },
  80007: { status: 400, type: 'OAuthException', message: '(#80007) Rate limit issues' },
  130429: { status: 400, type: 'OAuthException', message: '(#130429) Rate limit hit' },
  131000: { status: 500, type: 'OAuthException', message: '(#131000) Something went wrong' },
  131026: { status: 400, type: 'OAuthException', message: '(#131026) Message undeliverable' },
  131047: { status: 400, type: 'OAuthException', message: '(#131047) Re-engagement message' },
  131048: { status: 400, type: 'OAuthException', message: '(#131048) Spam rate limit hit' },
  131049: {
    status: 400,
    type: 'OAuthException',
    message: '(#131049) This message was not delivered to maintain healthy ecosystem engagement.',
  },
  131056: {
    status: 400,
    type: 'OAuthException',
    message: '(#131056) (Business Account, Consumer Account) pair rate limit hit',
  },
};

export interface GraphErrorBody {
  error: { message: string; type: string; code: number; error_subcode?: number; fbtrace_id: string };
}

export function graphErrorBody(
  code: number,
  fbtraceId: string,
  overrides: Partial<GraphErrorSpec> = {},
): { status: number; body: GraphErrorBody } {
  const spec = {
    ...(GRAPH_ERRORS[code] ?? { status: 400, type: 'OAuthException', message: `(#${code}) Error` }),
    ...overrides,
  };
  const error: GraphErrorBody['error'] = { message: spec.message, type: spec.type, code, fbtrace_id: fbtraceId };
  if (spec.subcode !== undefined) error.error_subcode = spec.subcode;
  return { status: spec.status, body: { error } };
}
