import type { ErrorCode } from '@orchestrator/shared';

/** Codes the browser gives failures that never reached the API's error answer. */
export type ClientErrorCode = 'network_error' | 'bad_response' | 'http_error';

/** The `code` of every ApiError: one of the server's registry (shared/src/error-codes.ts) or the client's own. */
export type ApiErrorCode = ErrorCode | ClientErrorCode;

/**
 * What a failure asks of the person: `input` fix what was sent; `login` log in; `denied` not theirs to
 * do; `missing` the thing is gone; `state` it is not in a state for this (wait or change it first);
 * `later` try again later; `server` the server or a provider is at fault.
 */
export type ErrorKind = 'input' | 'login' | 'denied' | 'missing' | 'state' | 'later' | 'server';

/** The kind of every code, switched on exhaustively: a code added to the registry fails to compile here until placed. */
export function errorKind(code: ApiErrorCode): ErrorKind {
  switch (code) {
    case 'validation_failed':
    case 'bad_request':
    case 'invalid_json':
    case 'too_deep':
    case 'invalid_content_length':
    case 'bad_url':
    case 'unexpected_body':
    case 'missing_body':
    case 'invalid_path':
    case 'invalid_cursor':
    case 'cursor_and_offset':
    case 'invalid_date':
    case 'invalid_date_range':
    case 'prompt_required':
    case 'template_unsupported':
    case 'model_unavailable':
    case 'unknown_workflow':
    case 'unknown_folder':
    case 'invalid_slot':
    case 'invalid_slots':
    case 'input_image_required':
    case 'input_image_not_found':
    case 'invalid_multipart':
    case 'missing_file':
    case 'too_many_files':
    case 'unexpected_file_field':
    case 'empty_file':
    case 'not_webp':
    case 'checksum_mismatch':
    case 'too_large':
    case 'image_too_large':
    case 'uri_too_long':
    case 'unsupported_media_type':
    case 'range_not_satisfiable':
    case 'invalid_workflow':
    case 'upgrade_required':
      return 'input';
    case 'unauthorized':
    case 'invalid_credentials':
      return 'login';
    case 'no_login':
    case 'forbidden':
    case 'origin_forbidden':
    case 'host_not_allowed':
      return 'denied';
    case 'not_found':
    case 'unknown_agent':
      return 'missing';
    case 'conflict':
    case 'already_finished':
    case 'not_queued':
    case 'not_retryable':
    case 'not_regenerable':
    case 'not_an_image':
    case 'not_in_trash':
    case 'thread_deleted':
    case 'last_admin':
    case 'user_exists':
    case 'workflow_limit':
    case 'thumbnail_recipe_mismatch':
      return 'state';
    case 'rate_limited':
    case 'busy':
    case 'thumbnails_busy':
    case 'redis_unavailable':
    case 'network_error':
      return 'later';
    case 'provider_not_configured':
    case 'preview_unavailable':
    case 'internal_error':
    case 'backend_error':
    case 'backend_unreachable':
    case 'provider_error':
    case 'provider_auth':
    case 'provider_forbidden':
    case 'disk_full':
    case 'bad_response':
    case 'http_error':
      return 'server';
    default:
      return unreachable(code);
  }
}

function unreachable(code: never): never {
  throw new Error(`Unknown error code ${String(code)}`);
}
