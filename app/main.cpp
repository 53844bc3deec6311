// latentlab: dispatches `latentlab <subcommand> ...` to the table in cli.cpp; otherwise opens the lab window.
#include "app/cli.h"

#include <cstdio>
#include <exception>

int main(int argc, char** argv)
{
    try
    {
        if (argc > 1)
        {
            if (const ll::app::Subcommand* sub = ll::app::FindSubcommand(argv[1]))
            {
                return sub->run(argc - 1, argv + 1);
            }
        }
        return ll::app::RunGui(argc, argv);
    }
    catch (const std::exception& e)
    {
        std::fprintf(stderr, "latentlab: error: %s\n", e.what());
        return 1;
    }
}
