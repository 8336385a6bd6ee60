import { describe, expect, it } from "vitest";
import { ApiError } from "./problem";

describe("ApiError.fieldErrors", () => {
  it("normalises ASP.NET and JSON-path keys to the form's field paths", () => {
    const error = new ApiError(400, {
      title: "One or more validation errors occurred.",
      errors: { "Source.Uri": ["Must start with mongodb://."], "$.intervalSeconds": ["Must be at least 1."], name: ["Required.", "Too short."] },
    });
    expect(error.fieldErrors).toEqual({
      "source.uri": "Must start with mongodb://.",
      intervalSeconds: "Must be at least 1.",
      name: "Required. Too short.",
    });
  });
});
