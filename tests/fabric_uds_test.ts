import { laneSuite } from "./_fabric_suite.ts";

laneSuite("uds", false);
