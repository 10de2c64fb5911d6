import Foundation
import StewardCLI

exit(await Steward.runMain())
