import { Validator } from '@seriousme/openapi-schema-validator';
import { buildSchema, validateSchema, type GraphQLSchema } from 'graphql';
import protobuf from 'protobufjs';

/** Validates an OpenAPI 3.1 document with @seriousme/openapi-schema-validator and resolves every $ref. */
export async function validateOpenApi(
  doc: Record<string, unknown>,
): Promise<{ valid: boolean; errors: unknown }> {
  const validator = new Validator();
  // The validator resolves references in place (making cycles): give it a copy.
  const result = await validator.validate(structuredClone(doc));
  if (result.valid) validator.resolveRefs(); // throws on a dangling reference
  return { valid: result.valid, errors: result.errors };
}

/** Builds SDL with graphql-js and returns the schema plus `validateSchema` errors. */
export function checkGraphql(sdl: string): { schema: GraphQLSchema; errors: string[] } {
  const schema = buildSchema(sdl);
  return { schema, errors: validateSchema(schema).map(String) };
}

/** Parses a .proto with protobufjs (google/protobuf/struct.proto loaded) and resolves all types. */
export function parseProto(text: string): { root: protobuf.Root; pkg: string } {
  const root = new protobuf.Root();
  const common = protobuf.common.get('google/protobuf/struct.proto');
  if (common?.nested) root.addJSON(common.nested);
  const parsed = protobuf.parse(text, root, { keepCase: true });
  root.resolveAll();
  return { root, pkg: parsed.package ?? '' };
}
